#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# broker_fuzz.py: random and mangled requests from several connections at a
# real rtshmd (best an ASan build); passes if the broker is alive, answers
# and ends with nothing left. Usage: broker_fuzz.py PATH/TO/rtshmd SECONDS
import socket, struct, subprocess, time, os, sys, array, random, select
B = sys.argv[1]; secs = float(sys.argv[2])
import tempfile
d = tempfile.mkdtemp(prefix="rtshmd-fuzz.")
path = d + "/sock"
if os.path.exists(path): os.unlink(path)
p = subprocess.Popen([B, "--socket", path, "--system"], stderr=None)
time.sleep(0.5)
REQ = struct.Struct("=IIQQIIIIIIiI1024s")
rnd = random.Random(1)
names = [b"f%d" % i for i in range(8)]
ids = [0]
conns = []
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(path); s.setblocking(False); return s
memfd = os.memfd_create("fz", os.MFD_ALLOW_SEALING); os.ftruncate(memfd, 8192)
import fcntl; fcntl.fcntl(memfd, 1033, 2 | 4)
sent = 0; t0 = time.time()
while time.time() - t0 < secs:
    if len(conns) < 8 or rnd.random() < 0.01:
        conns.append(conn())
    if rnd.random() < 0.01 and conns:
        conns.pop(rnd.randrange(len(conns))).close()
        continue
    s = rnd.choice(conns)
    op = rnd.choice([1, 1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 0, 10, 0xffffffff])
    name = rnd.choice(names) if rnd.random() < 0.95 else os.urandom(rnd.randrange(0, 1024))
    nl = len(name) if rnd.random() < 0.95 else rnd.choice([0, 1025, 0xffffffff])
    size = rnd.choice([0, 1, 4096, 5000, 8192, 1 << 41, 2**64 - 1, rnd.randrange(1, 20000)])
    oid = rnd.choice(ids)
    flags = rnd.choice([0, 1, 2, 4, 8, 3, 6, 15, 16, rnd.getrandbits(32)])
    data = REQ.pack(0x31425452 if rnd.random() < 0.97 else 7, op, size, oid, flags,
                    rnd.choice([0, 0o600, 0o644, 0o777, 0o1000]), rnd.choice([1, 1, 2, 0, 5]),
                    nl, rnd.choice([0, 65534]), 0, 0, 0, name[:1024])
    if rnd.random() < 0.03:
        data = data[: rnd.randrange(len(data) + 10)]
    fds = [memfd] if (op == 8 or rnd.random() < 0.02) else []
    try:
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
        s.sendmsg([data], anc); sent += 1
    except OSError:
        conns.remove(s); s.close(); continue
    # read what is there
    for c in list(conns):
        try:
            while True:
                msg, anc, _, _ = c.recvmsg(70000, socket.CMSG_SPACE(4))
                if not msg:
                    raise OSError
                for l, t, dd in anc:
                    f = array.array("i", dd[:4])[0]; os.close(f)
                if len(msg) >= 24:
                    i = struct.unpack_from("=Q", msg, 8)[0]
                    if i: ids.append(i); ids[:] = ids[-50:]
        except BlockingIOError:
            pass
        except OSError:
            conns.remove(c); c.close()
alive = p.poll() is None
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(path); s.settimeout(3)
s.send(REQ.pack(0x31425452, 9, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, b""))
r = s.recv(100)
print(f"sent {sent} requests in {secs}s; broker alive {alive}; status ok {len(r) == 72}")
for c in conns: c.close()
s.close(); time.sleep(1)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(path); s.settimeout(3)
s.send(REQ.pack(0x31425452, 9, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, b""))
r = s.recv(100); print("after all closed: live objects", struct.unpack("=IIQQQIIiI", r[:48])[6], "connections", struct.unpack("=IIQQQIIiI", r[:48])[8])
p.terminate(); print("exit", p.wait(10))
ok = alive and len(r) == 72 and struct.unpack("=IIQQQIIiI", r[:48])[6] == 0
sys.exit(0 if ok else 1)
