"""One SSH connection to a router whose login is vtysh: each command runs in its own
exec channel (sshd's ForceCommand or the router's shell hands it to vtysh -c)."""
from __future__ import annotations

import os
import shlex

import paramiko


class TransportError(Exception):
    """The router cannot be reached or refused the login."""


class VtyshSession:
    """SSH to vtysh. opts: port, key_file, proxy_command, known_hosts, host_key_checking,
    vtysh_prefix (on a Linux shell login: e.g. "sudo vtysh"; None = the login is vtysh)."""

    def __init__(self, host: str, username: str, password: str | None, timeout: int, opts: dict):
        self.host, self.username, self.password, self.timeout = host, username, password or None, timeout
        self.port = int(opts.get("port", 22))
        self.key_file = opts.get("key_file")
        self.proxy_command = opts.get("proxy_command")
        self.known_hosts = opts.get("known_hosts")
        self.host_key_checking = bool(opts.get("host_key_checking", True))
        self.vtysh_prefix = opts.get("vtysh_prefix")
        self.client: paramiko.SSHClient | None = None

    def open(self) -> None:
        c = paramiko.SSHClient()
        if self.host_key_checking:
            c.load_system_host_keys()
            if self.known_hosts:
                c.load_host_keys(os.path.expanduser(self.known_hosts))
            c.set_missing_host_key_policy(paramiko.RejectPolicy())
        else:
            c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        sock = paramiko.ProxyCommand(self.proxy_command) if self.proxy_command else None
        try:
            c.connect(self.host, port=self.port, username=self.username, password=self.password,
                      key_filename=self.key_file, look_for_keys=False, allow_agent=False,
                      timeout=self.timeout, banner_timeout=self.timeout, auth_timeout=self.timeout, sock=sock)
        except (paramiko.SSHException, OSError) as e:
            c.close()
            raise TransportError("ssh %s@%s:%d: %s" % (self.username, self.host, self.port, one_line(str(e) or type(e).__name__))) from e
        self.client = c

    def alive(self) -> bool:
        t = self.client.get_transport() if self.client else None
        return bool(t and t.is_active())

    def run(self, command: str) -> tuple[int, str]:
        """Run one vtysh command (or several, one per line); returns (exit status, output)."""
        if not self.alive():
            raise TransportError("ssh %s: not connected" % self.host)
        cmd = command if not self.vtysh_prefix else "%s -c %s" % (self.vtysh_prefix, shlex.quote(command))
        chan = self.client.get_transport().open_session(timeout=self.timeout)
        chan.settimeout(self.timeout)
        chan.exec_command(cmd)
        out = bytearray()
        while True:
            data = chan.recv(65536)
            if not data:
                break
            out += data
        while chan.recv_stderr_ready():
            out += chan.recv_stderr(65536)
        rc = chan.recv_exit_status()
        chan.close()
        return rc, out.decode("utf-8", "replace")

    def close(self) -> None:
        if self.client:
            self.client.close()
            self.client = None


def one_line(text: str) -> str:
    """Multi-line device output as one line (results keep only a message's first line)."""
    return " | ".join(l.strip() for l in text.splitlines() if l.strip())
