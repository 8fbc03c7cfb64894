#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# broker_smoke.py: drives a real rtshmd over its socket with the wire format
# of rtshmd/protocol.hpp (not part of ctest: run by hand, as root for the
# permission cases). Usage: broker_smoke.py PATH/TO/rtshmd
import array
import mmap
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

REQ = struct.Struct("=IIQQIIIIIIiI1024s")
REP = struct.Struct("=IIQQQIIiIIIIiII")
ENT = struct.Struct("=QQQIIIIiIII1024s")
MAGIC = 0x31425452
CREATE, OPEN, CLOSE, COMMIT, ABORT, LIST, FORK, ADOPT, STATUS = range(1, 10)
EXACT, RO, EXCL, WRITE = 1, 2, 4, 8
CREATED, WRITABLE, SYSTEM = 1, 2, 4
PENDING = 0xFFFF0001
assert REQ.size == 1080 and REP.size == 72 and ENT.size == 1080

BROKER = sys.argv[1] if len(sys.argv) > 1 else "build/h/rtshmd/rtshmd"
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def req(op, name=b"", size=0, oid=0, flags=0, mode=0o600, typ=1, uid=0, gid=0, cpid=0, magic=MAGIC):
    return REQ.pack(magic, op, size, oid, flags, mode, typ, len(name), uid, gid, cpid, 0, name)


class Rep:
    def __init__(self, data, fds):
        f = REP.unpack(data[: REP.size])
        (self.magic, self.error, self.id, self.size, self.alloc, self.flags, self.count,
         self.pid, self.connections, self.uid, self.gid, self.mode, self.cpid,
         self.read_only, _) = f
        self.fd = fds[0] if fds else None
        self.raw = data

    def entries(self):
        out = []
        for i in range(self.count):
            e = ENT.unpack_from(self.raw, REP.size + i * ENT.size)
            out.append((e[0], e[1], e[11][: e[10]]))
        return out


class Conn:
    def __init__(self, path=None, sock=None):
        self.s = sock or socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if path:
            self.s.connect(path)

    def send(self, data, fds=()):
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
        self.s.sendmsg([data], anc)

    def recv(self, timeout=5.0):
        r, _, _ = select.select([self.s], [], [], timeout)
        if not r:
            return None
        try:
            data, anc, _, _ = self.s.recvmsg(70000, socket.CMSG_SPACE(16))
        except ConnectionResetError:
            return "eof"
        if not data:
            return "eof"
        fds = []
        for lvl, typ, d in anc:
            if lvl == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                fds += array.array("i", d[: len(d) - len(d) % 4]).tolist()
        return Rep(data, fds)

    def call(self, *a, fds=(), **k):
        self.send(req(*a, **k), fds)
        return self.recv()

    def close(self):
        self.s.close()


def start(path, *extra, env=None):
    p = subprocess.Popen([BROKER, "--socket", path, *extra], env=env)
    for _ in range(100):
        if os.path.exists(path):
            return p
        time.sleep(0.02)
    raise RuntimeError("broker did not start")


def broker_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def as_user(uid, fn):
    """Runs fn() in a child with uid/gid; returns its exit code (0: passed)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os._exit(0 if fn() else 1)
        except BaseException as e:  # noqa: BLE001
            print("child:", e)
            os._exit(2)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def main():
    d = tempfile.mkdtemp(prefix="rtshmd-test.")
    os.chmod(d, 0o755)
    path = os.path.join(d, "sock")
    b = start(path, "--system")
    a = Conn(path)

    st = a.call(STATUS)
    check(st.error == 0 and st.pid == b.pid and st.flags & SYSTEM, "status: pid, system flag")

    # S5/S30: a new object is pending and writable for its creator.
    r = a.call(CREATE, b"obj1", size=5000, mode=0o644)
    check(r.error == 0 and r.flags == CREATED | WRITABLE and r.size == 5000 and r.alloc == 8192
          and r.fd is not None, "create new: created|writable, size, page-rounded alloc")
    check(os.fstat(r.fd).st_size == 8192 and os.fstat(r.fd).st_mode & 0o777 == 0o600,
          "memfd: alloc bytes, mode 0600")
    os.posix_fallocate(r.fd, 0, 8192)
    m = mmap.mmap(r.fd, 8192)
    m[0:5] = b"hello"
    obj1, fd1 = r.id, r.fd
    c = Conn(path)
    check(c.call(OPEN, b"obj1").error == 2, "S30 open of a pending object: file_not_found")
    a.send(req(COMMIT, oid=obj1))
    r = c.call(OPEN, b"obj1")
    check(r.error == 0 and r.id == obj1 and r.size == 5000 and r.flags == 0
          and os.get_blocking(r.fd) is not None
          and (__import__("fcntl").fcntl(r.fd, __import__("fcntl").F_GETFL) & 3) == os.O_RDONLY,
          "open read: O_RDONLY fd, logical size")
    check(mmap.mmap(r.fd, 8192, prot=mmap.PROT_READ)[0:5] == b"hello", "open: same pages")
    check(r.uid == 0 and r.mode == 0o644 and r.cpid == os.getpid(), "reply carries owner/mode/creator")
    r2 = c.call(OPEN, b"obj1", flags=WRITE)
    check(r2.error == 0 and r2.flags == WRITABLE, "open write")
    check(c.call(OPEN, b"obj1", typ=2).error == 6, "S29 open other type: invalid_handle")
    check(c.call(CREATE, b"obj1", size=5000, flags=EXCL).error == 183, "S32 exclusive: already_exists")
    check(c.call(CREATE, b"obj1", size=5000, typ=3).error == 6, "S29 create other type: invalid_handle")
    check(c.call(CREATE, b"obj1", size=6000).error == 87, "S6 larger: invalid_parameter")
    check(c.call(CREATE, b"obj1", size=4000, flags=EXACT).error == 87, "S9 exact size: invalid_parameter")
    r = c.call(CREATE, b"obj1", size=4000)
    check(r.error == 0 and r.flags == WRITABLE and r.size == 4000, "S7 shrink by a writer")
    check(c.call(OPEN, b"obj1").size == 4000, "S7 later opens see the smaller size")

    # S19/S29: a read-only object.
    r = a.call(CREATE, b"ro", size=4096, flags=RO, mode=0o644)
    check(r.error == 0 and r.flags == CREATED | WRITABLE, "read-only create: creator gets rw fd")
    os.posix_fallocate(r.fd, 0, 4096)
    os.pwrite(r.fd, b"frozen", 0)
    a.send(req(COMMIT, oid=r.id))
    os.close(r.fd)
    check(c.call(CREATE, b"ro", size=4096).error == 5, "read-only object, write create: access_denied")
    check(c.call(OPEN, b"ro", flags=WRITE).error == 5, "read-only object, write open: access_denied")
    r = c.call(OPEN, b"ro")
    check(r.error == 0, "read-only object, read open")
    try:
        os.pwrite(os.open(f"/proc/self/fd/{r.fd}", os.O_RDWR), b"x", 0)
        check(False, "F_SEAL_WRITE: write through a reopened fd refused")
    except OSError:
        check(True, "F_SEAL_WRITE: write through a reopened fd refused")

    # S30: a create racing a pending one is told to ask again (kErrorPending)
    # until the creator commits or aborts.
    r = a.call(CREATE, b"race", size=100)
    q = c.call(CREATE, b"race", size=100)
    check(q and q.error == PENDING and q.fd is None, "create of a pending name: kErrorPending")
    a.send(req(COMMIT, oid=r.id))
    q = c.call(CREATE, b"race", size=100)
    check(q and q.error == 0 and q.flags == WRITABLE and q.id == r.id, "asked again after commit: the object")
    r = a.call(CREATE, b"race2", size=100)
    check(c.call(CREATE, b"race2", size=100).error == PENDING, "pending again")
    a.send(req(ABORT, oid=r.id))
    q = c.call(CREATE, b"race2", size=100)
    check(q and q.error == 0 and q.flags & CREATED and q.id != r.id, "asked again after abort: creator")
    c.send(req(COMMIT, oid=q.id))
    # The creator dies: its pending object is aborted.
    d1 = Conn(path)
    r = d1.call(CREATE, b"race3", size=100)
    d1.close()
    time.sleep(0.1)
    q = c.call(CREATE, b"race3", size=100)
    check(q and q.flags & CREATED, "after the pending creator's death: creator")
    c.send(req(COMMIT, oid=q.id))

    # S23: the last close ends the object.
    e = Conn(path)
    r = e.call(CREATE, b"gone", size=100)
    e.send(req(COMMIT, oid=r.id))
    e.send(req(CLOSE, oid=r.id))
    check(e.call(OPEN, b"gone").error == 2, "S23 last close: name free")
    r = e.call(CREATE, b"killed", size=100)
    e.send(req(COMMIT, oid=r.id))
    e.close()
    time.sleep(0.1)
    check(a.call(OPEN, b"killed").error == 2, "S24 holder's connection gone: object gone")

    # list: every visible live object, in batches.
    f = Conn(path)
    for i in range(40):
        r = f.call(CREATE, b"list%02d" % i, size=64)
        f.send(req(COMMIT, oid=r.id))
    names, cursor, batches = [], 0, 0
    while True:
        r = f.call(LIST, size=cursor)
        batches += 1
        names += [n for _, _, n in r.entries()]
        cursor = r.size
        if cursor == 0:
            break
    check(sum(n.startswith(b"list") for n in names) == 40 and batches >= 2 and len(set(names)) == len(names),
          f"list: 40 objects over {batches} batches, no duplicates ({len(names)} total)")

    # S20: fork gives a connection holding the same handles.
    r = f.call(FORK)
    check(r.error == 0 and r.fd is not None, "fork: a socket")
    child = Conn(sock=socket.socket(fileno=r.fd))
    check(child.call(STATUS).pid == b.pid, "fork: the child's connection works")
    f.close()
    time.sleep(0.1)
    t = Conn(path)
    check(t.call(OPEN, b"list07").error == 0, "fork: parent gone, child's handles keep objects")
    t.close()
    child.close()
    time.sleep(0.1)
    check(a.call(OPEN, b"list07").error == 2, "fork: child gone too, objects gone")

    # Robustness: garbage, stray descriptors, flood.
    g = Conn(path)
    g.call(STATUS)  # accepted by now
    before = broker_fds(b.pid)
    rfd, wfd = os.pipe()
    r = g.call(STATUS, fds=[rfd, wfd])
    check(r.error == 87, "extra descriptors: invalid_parameter")
    r = g.call(STATUS, fds=[rfd])
    check(r.error == 0, "descriptor on status: ignored")
    check(broker_fds(b.pid) == before, f"passed descriptors closed at once ({before} -> {broker_fds(b.pid)})")
    g.send(b"short")
    check(g.recv().error == 87, "short datagram: invalid_parameter")
    check(g.call(STATUS, magic=1).error == 87, "wrong magic: invalid_parameter")
    check(g.call(42).error == 87, "unknown op: invalid_parameter")
    check(g.call(CREATE, b"x", size=0).error == 87, "size 0: invalid_parameter")
    check(g.call(CREATE, b"x", size=1 << 50).error == 8, "huge size: not_enough_memory")
    check(g.call(CREATE, b"x", size=1, mode=0o1777).error == 87, "mode > 0777: invalid_parameter")
    check(g.call(CREATE, b"x", size=1, flags=64).error == 87, "unknown flag: invalid_parameter")
    check(g.call(CREATE, b"x", size=1, typ=9).error == 87, "bad type: invalid_parameter")
    check(g.call(OPEN, b"").error == 87, "empty name: invalid_parameter")
    for _ in range(70):
        try:
            g.send(b"\0" * 7)
        except OSError:
            break
    got_eof = False
    for _ in range(80):
        x = g.recv(1)
        if x == "eof" or x is None:
            got_eof = x == "eof"
            break
    check(got_eof, "bad-request flood: connection closed")

    # A client that never reads is dropped, the others still served.
    h = Conn(path)
    h.s.setblocking(False)
    sent = 0
    try:
        for _ in range(200000):
            h.s.send(req(LIST))
            sent += 1
    except (BlockingIOError, BrokenPipeError, ConnectionResetError):
        pass
    t0 = time.time()
    ok = a.call(STATUS)
    check(ok and ok.error == 0 and time.time() - t0 < 1, f"non-reading client ({sent} sent): others served")
    time.sleep(0.2)
    check(a.call(STATUS).connections <= 3, "non-reading client disconnected")
    h.close()

    # S32 permissions, from another user.
    r = a.call(CREATE, b"perm600", size=100, mode=0o600)
    a.send(req(COMMIT, oid=r.id))
    r = a.call(CREATE, b"perm644", size=8192, mode=0o644)
    a.send(req(COMMIT, oid=r.id))

    def other():
        o = Conn(path)
        good = o.call(OPEN, b"perm600").error == 5
        good &= o.call(OPEN, b"perm644").error == 0
        good &= o.call(OPEN, b"perm644", flags=WRITE).error == 5
        good &= o.call(CREATE, b"perm644", size=8192).error == 5
        v = o.call(CREATE, b"perm644", size=4096, flags=RO)
        good &= v.error == 0 and v.size == 4096 and v.flags == 0
        good &= o.call(OPEN, b"perm644").size == 8192  # S7: no shrink without write
        lst = [n for _, _, n in o.call(LIST).entries()]
        good &= b"perm644" in lst and b"perm600" not in lst
        return good
    check(as_user(65534, other) == 0, "S32: DAC from another uid (open/create/shrink/list)")

    # adopt after a broker restart.
    r = a.call(CREATE, b"keep", size=4096, mode=0o640)
    os.posix_fallocate(r.fd, 0, 4096)
    os.pwrite(r.fd, b"kept", 0)
    a.send(req(COMMIT, oid=r.id))
    keep_fd, keep_id = r.fd, r.id
    rr = a.call(OPEN, b"keep")
    ro_fd = rr.fd
    b.send_signal(signal.SIGTERM)
    check(b.wait(5) == 0 and not os.path.exists(path), "SIGTERM: clean exit, socket removed")
    b = start(path, "--system")
    a = Conn(path)
    r = a.call(ADOPT, b"keep", size=4096, oid=keep_id, mode=0o640, uid=0, gid=0, cpid=1234, fds=[ro_fd])
    check(r.error == 0, "adopt from a read-only fd: rebuilt")
    r = a.call(ADOPT, b"keep", size=4096, oid=keep_id, flags=WRITE, mode=0o640, fds=[keep_fd])
    check(r.error == 0, "adopt same inode: joined")
    fake = os.memfd_create("fake", os.MFD_ALLOW_SEALING)
    os.ftruncate(fake, 4096)
    check(a.call(ADOPT, b"keep", size=4096, fds=[fake]).error == 87, "adopt unsealed fd: invalid_parameter")
    import fcntl as F
    F.fcntl(fake, 1033, 2 | 4)  # F_ADD_SEALS: SHRINK|GROW
    check(a.call(ADOPT, b"keep", size=4096, fds=[fake]).error == 183, "adopt other inode: already_exists")
    check(a.call(ADOPT, b"keep2", size=8192, fds=[fake]).error == 87, "adopt size > fd: invalid_parameter")
    r = Conn(path).call(OPEN, b"keep", flags=WRITE)
    check(r.error == 0 and r.id == keep_id and r.cpid == 1234 and os.fstat(r.fd).st_ino == os.fstat(keep_fd).st_ino,
          "open after adopt: same id, inode, creator; writable again")
    b.send_signal(signal.SIGTERM)
    b.wait(5)

    # A per-user broker refuses other uids.
    b = start(path)
    os.chmod(path, 0o666)

    def refused():
        o = Conn(path)
        time.sleep(0.2)  # the broker closes it at accept
        try:
            return o.call(STATUS) in ("eof", None)
        except OSError:
            return True
    check(as_user(65534, refused) == 0, "per-user broker: other uid refused")
    check(Conn(path).call(STATUS).flags & SYSTEM == 0, "per-user broker: no system flag")
    check(subprocess.run([BROKER, "--socket", path]).returncode == 0, "second broker on a served socket: exit 0")
    b.send_signal(signal.SIGTERM)
    b.wait(5)

    # --daemon, --idle-exit.
    t0 = time.time()
    rc = subprocess.run([BROKER, "--socket", path, "--daemon", "--idle-exit", "1"]).returncode
    check(rc == 0 and os.path.exists(path), "--daemon: parent exits 0 once listening")
    pid = Conn(path).call(STATUS).pid
    while os.path.exists(f"/proc/{pid}") and time.time() - t0 < 5:
        time.sleep(0.1)
    check(not os.path.exists(f"/proc/{pid}"), f"--idle-exit 1: gone after {time.time() - t0:.1f}s")

    # Abstract names.
    p = subprocess.Popen([BROKER, "--abstract", f"rtshm-test.{os.getpid()}"])
    time.sleep(0.2)
    o = Conn(f"\0rtshm-test.{os.getpid()}")
    check(o.call(STATUS).pid == p.pid, "--abstract: served")
    check(subprocess.run([BROKER, "--abstract", f"rtshm-test.{os.getpid()}"]).returncode == 0,
          "--abstract taken: exit 0")
    p.send_signal(signal.SIGINT)
    check(p.wait(5) == 0, "SIGINT: clean exit")

    print("failures:", failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
