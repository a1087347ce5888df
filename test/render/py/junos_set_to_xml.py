"""Read Junos `set`/`delete` commands with junoscfg (a Junos-syntax parser from PyPI, pinned in
requirements.txt: it knows which statements are named lists, e.g. group and neighbor) and
print the same configuration as Junos XML (<rpc-reply><configuration>...), the form the
junipernetworks.junos resource modules' `state: parsed` reads.

Junos JSON, which junoscfg emits, is the XML's own JSON form: an object is an element, a list
repeats the element, "@" holds its attributes (operation="delete" for a delete command), a
null is an empty element. Usage: python junos_set_to_xml.py < commands.set
"""
import json
import sys
import xml.etree.ElementTree as ET

import junoscfg


def build(parent, key, value):
    if isinstance(value, list):
        for v in value:
            build(parent, key, v)
        return
    el = ET.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "@":
                for name, attr in v.items():
                    el.set(name, str(attr))
            else:
                build(el, k, v)
    elif value is not None:
        el.text = str(value)


def main():
    doc = json.loads(junoscfg.convert_config(sys.stdin.read(), from_format=junoscfg.Format.SET,
                                             to_format=junoscfg.Format.JSON, strict=True))
    root = ET.Element("rpc-reply")
    for k, v in doc.items():
        build(root, k, v)
    sys.stdout.write(ET.tostring(root, encoding="unicode") + "\n")


if __name__ == "__main__":
    main()
