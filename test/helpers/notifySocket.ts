/**
 * A stand-in for systemd's notification socket (sd_notify(3)): a python3 AF_UNIX datagram
 * listener (Node has none) bound to a temp path, to be passed to a daemon as NOTIFY_SOCKET. Every
 * datagram becomes one message with its arrival time and the sender's pid (SCM_CREDENTIALS, as
 * systemd reads it); file descriptors passed along (systemd-notify's BARRIER=1) are closed at
 * once, which is what releases the sender's barrier wait, as systemd does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import socket; socket.AF_UNIX'], { stdio: 'ignore' }).status === 0) ?? null;

const LISTENER = `
import array, json, os, socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
print(json.dumps({"listening": True}), flush=True)
while True:
    data, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(64 * 4) + socket.CMSG_SPACE(12))
    pid = None
    fds = 0
    for level, typ, cdata in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            a = array.array("i")
            a.frombytes(cdata[: len(cdata) - len(cdata) % 4])
            for fd in a:
                os.close(fd)
                fds += 1
        elif level == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", cdata[:12])[0]
    print(json.dumps({"t": time.time() * 1000, "msg": data.decode("utf-8", "replace"), "pid": pid, "fds": fds}), flush=True)
`;

export interface NotifyMessage {
  /** arrival, ms since the epoch */
  t: number;
  /** the datagram: newline-separated VAR=value assignments */
  msg: string;
  /** the sender's pid */
  pid: number | null;
  /** descriptors passed along (BARRIER=1) */
  fds: number;
}

export class NotifySocket {
  readonly messages: NotifyMessage[] = [];
  private constructor(
    readonly path: string,
    private readonly proc: ChildProcess,
  ) {}

  static async start(): Promise<NotifySocket> {
    if (!PYTHON) throw new Error('python3 missing');
    const path = join(mkdtempSync(join(tmpdir(), 'sp-notify-')), 'notify.sock');
    const proc = spawn(PYTHON, ['-c', LISTENER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const n = new NotifySocket(path, proc);
    let buf = '';
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (c) => reject(new Error(`notify listener exited ${c}: ${err}`)));
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (line.listening) resolve();
          else n.messages.push(line as NotifyMessage);
        }
      });
    });
    return n;
  }

  /** Messages carrying assignment `a` (e.g. 'READY=1', 'WATCHDOG=1'). */
  with(a: string): NotifyMessage[] {
    return this.messages.filter((m) => m.msg.split('\n').includes(a));
  }

  /** Messages with a `VAR=` assignment, as their values. */
  values(v: string): string[] {
    return this.messages.flatMap((m) => m.msg.split('\n').filter((l) => l.startsWith(`${v}=`)).map((l) => l.slice(v.length + 1)));
  }

  close(): void {
    this.proc.kill('SIGTERM');
  }
}
