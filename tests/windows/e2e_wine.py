#!/usr/bin/env python3
"""End-to-end tests of the Windows dfuhost.exe under wine against the Linux dfu-sim.

    tests/windows/e2e_wine.py BUILD_WINDOWS BUILD_LINUX

Each case starts dfu-sim on a pseudo-terminal with a flash file of its own, reaches it from
dfuhost.exe either as COM9 (wine maps $WINEPREFIX/dosdevices/com9 onto the pty) or as
socket://127.0.0.1:PORT (a TCP relay in this script, one connection, to the pty), and
checks the exit code and the simulator's flash byte for byte. WINEPREFIX must be set up
(make test-windows does). Prints one line per case and a summary; exit 1 on any failure.
"""
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FLASH_BASE = 0x10000000
FLASH_SIZE = 0x20000
REPO = Path(__file__).resolve().parents[2]


class Sim:
    """dfu-sim on a pty, its flash in DIR/flash.bin (erased = 00)."""

    def __init__(self, build_linux: Path, folder: Path, extra=()):
        self.flash = folder / "flash.bin"
        self.proc = subprocess.Popen(
            [str(build_linux / "dfu-sim"), "--flash", str(self.flash), "--flash-size", str(FLASH_SIZE),
             "--product-id", "0", *extra], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.pty = self.proc.stdout.readline().strip()
        if not self.pty.startswith("/dev/"):
            raise RuntimeError(f"dfu-sim printed no pty: {self.pty!r}")

    def read_flash(self) -> bytes:
        return self.flash.read_bytes()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


class Relay:
    """A TCP server on 127.0.0.1 that carries each connection's bytes to and from a tty, one
    connection at a time (each dfuhost run is one)."""

    def __init__(self, tty: str):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
        import termios
        import tty as ttymod
        ttymod.setraw(self.fd, termios.TCSANOW)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:  # closed
                return
            with conn:
                self._carry(conn)

    def _carry(self, conn):
        while True:
            ready, _, _ = select.select([conn, self.fd], [], [], 30)
            if not ready:
                return
            if conn in ready:
                data = conn.recv(65536)
                if not data:
                    return
                os.write(self.fd, data)
            if self.fd in ready:
                conn.sendall(os.read(self.fd, 65536))

    def close(self):
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accept() waiting in the thread
        except OSError:
            pass
        self.server.close()
        self.thread.join(timeout=5)
        os.close(self.fd)


def dfuhost(build_windows: Path, *args, timeout=120):
    return subprocess.run(["wine", str(build_windows / "dfuhost.exe"), *args], capture_output=True, text=True,
                          timeout=timeout)


def image_bytes() -> bytes:
    return (REPO / "samples" / "blinky.bin").read_bytes()


def expect(ok: bool, what: str):
    if not ok:
        raise AssertionError(what)


def main() -> int:
    build_windows, build_linux = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    prefix = Path(os.environ["WINEPREFIX"])
    com9 = prefix / "dosdevices" / "com9"
    blinky_bin = REPO / "samples" / "blinky.bin"
    image = image_bytes()
    results = []

    def case(name, body, wire="com", sim_args=()):
        with tempfile.TemporaryDirectory(prefix="dfuhost-wine-") as tmp:
            sim = Sim(build_linux, Path(tmp), sim_args)
            relay = None
            try:
                if wire == "com":
                    if com9.is_symlink() or com9.exists():
                        com9.unlink()
                    com9.symlink_to(sim.pty)
                    port = "COM9"
                else:
                    relay = Relay(sim.pty)
                    port = f"socket://127.0.0.1:{relay.port}"
                start = time.monotonic()
                body(port, sim, Path(tmp))
                results.append((name, True, f"{time.monotonic() - start:.1f} s"))
            except Exception as e:  # noqa: BLE001 - every failure is reported the same way
                results.append((name, False, str(e)))
            finally:
                sim.stop()
                if relay:
                    relay.close()

    base = ["--base", hex(FLASH_BASE)]

    def programmed_exact(sim):
        flash = sim.read_flash()
        expect(flash[:len(image)] == image, "flash differs from the image after program")

    def program(port, sim, _):
        r = dfuhost(build_windows, "program", str(blinky_bin), *base, "--uart", port)
        expect(r.returncode == 0, f"program exit {r.returncode}: {r.stderr.strip()}")
        programmed_exact(sim)

    def program_verify_erase(port, sim, _):
        program(port, sim, _)
        r = dfuhost(build_windows, "verify", str(blinky_bin), *base, "--uart", port)
        expect(r.returncode == 0, f"verify exit {r.returncode}: {r.stderr.strip()}")
        r = dfuhost(build_windows, "erase", str(blinky_bin), *base, "--uart", port)
        expect(r.returncode == 0, f"erase exit {r.returncode}: {r.stderr.strip()}")
        expect(sim.read_flash()[:len(image)] == bytes(len(image)), "image rows not erased (00) after erase")
        r = dfuhost(build_windows, "verify", str(blinky_bin), *base, "--uart", port)
        expect(r.returncode == 7, f"verify of erased flash: exit {r.returncode}, expected 7")

    def mtbdfu(port, sim, tmp):
        session = tmp / "program.mtbdfu"
        r = subprocess.run([str(build_linux / "dfuhost"), "generate", str(blinky_bin), *base, "-o", str(session)],
                           capture_output=True, text=True)
        expect(r.returncode == 0, f"generate (Linux dfuhost) exit {r.returncode}: {r.stderr.strip()}")
        r = dfuhost(build_windows, "run", str(session), "--uart", port)
        expect(r.returncode == 0, f"run exit {r.returncode}: {r.stderr.strip()}")
        programmed_exact(sim)

    def missing_port(_port, sim, _):
        r = dfuhost(build_windows, "program", str(blinky_bin), *base, "--uart", "COM42")
        expect(r.returncode == 4, f"missing COM42: exit {r.returncode}, expected 4 ({r.stderr.strip()})")
        expect("COM42" in r.stderr, f"message does not name COM42: {r.stderr.strip()}")

    def bad_file(port, sim, tmp):
        bad = tmp / "bad.hex"
        bad.write_text(":10000000ZZ\n")
        r = dfuhost(build_windows, "program", str(bad), "--uart", port)
        expect(r.returncode == 3, f"bad file: exit {r.returncode}, expected 3 ({r.stderr.strip()})")
        expect("bad.hex:1:" in r.stderr, f"message names no file/line: {r.stderr.strip()}")
        expect(sim.read_flash() == bytes(FLASH_SIZE), "the device was touched")

    def i2c_node(_port, _sim, _):
        r = dfuhost(build_windows, "info", "--i2c", "/dev/i2c-1")
        expect(r.returncode == 2, f"--i2c /dev/i2c-1: exit {r.returncode}, expected 2")
        expect("not available on this operating system" in r.stderr, r.stderr.strip())

    def ctrl_c(port, sim, _):
        # wine turns SIGINT to its process into a CTRL_C_EVENT for the console program, which
        # SetConsoleCtrlHandler receives: the run stops at a packet boundary with 130.
        p = subprocess.Popen(["wine", str(build_windows / "dfuhost.exe"), "program", str(blinky_bin), *base,
                              "--uart", port, "--retries", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        p.stderr.readline()  # "Programming ...": the handler is installed, rows are being sent
        time.sleep(1)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
        expect(p.returncode == 130, f"Ctrl-C: exit {p.returncode}, expected 130 ({err.strip()[-300:]})")

    def elf_refused(port, sim, tmp):
        # Not a valid ELF body: the refusal comes from the format, before the file is read.
        elf = tmp / "app.elf"
        elf.write_bytes(b"\x7fELF" + bytes(60))
        r = dfuhost(build_windows, "program", str(elf), "--uart", port)
        expect(r.returncode == 2, f"ELF on Windows: exit {r.returncode}, expected 2 ({r.stderr.strip()})")
        expect("no ELF" in r.stderr, f"message does not say ELF is not read: {r.stderr.strip()}")
        expect(sim.read_flash() == bytes(FLASH_SIZE), "the device was touched")

    def stdin_binary(port, sim, tmp):
        # Every byte value, CR LF and Ctrl-Z (0x1A) among them, through a pipe into standard input:
        # text mode would turn CR LF into LF and stop at the first 0x1A.
        data = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(2048)) + b"\r\n\x1a\r\n"
        r = subprocess.run(["wine", str(build_windows / "dfuhost.exe"), "program", "-", "--format", "bin", *base,
                            "--uart", port], input=data, capture_output=True, timeout=120)
        err = r.stderr.decode(errors="replace").strip()
        expect(r.returncode == 0, f"program - (stdin): exit {r.returncode}: {err}")
        expect(sim.read_flash()[:len(data)] == data, "flash differs from the bytes piped into standard input")

    case("program over COM9", program)
    case("program, verify, erase over COM9", program_verify_erase)
    case(".mtbdfu run over COM9", mtbdfu)
    case("program over socket://", program, wire="socket")
    case("program, verify, erase over socket://", program_verify_erase, wire="socket")
    case("missing COM port exits 4", missing_port)
    case("bad input file exits 3, device untouched", bad_file)
    case("--i2c /dev/... exits 2 on Windows", i2c_node)
    case("ELF input exits 2 on Windows, device untouched", elf_refused)
    case("program - reads standard input in binary mode", stdin_binary)
    # Off by default: under wine 8 a SIGINT to the wine process ends it with exit 0 before
    # the console control handler sees a CTRL_C_EVENT, so this cannot pass here yet.
    if os.environ.get("DFUHOST_WINE_CTRL_C") == "1":
        case("Ctrl-C exits 130", ctrl_c, sim_args=("--flash-write-us", "1000000"))

    failed = [r for r in results if not r[1]]
    for name, ok, note in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}  ({note})")
    print(f"Windows end-to-end under wine: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
