"""Issue 10, bullets 2 and 4: a `monlab load` cut short by Ctrl-C exits 130 with the count it reached."""

import http.server
import re
import signal
import subprocess
import sys
import threading
import time


class Quick(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.01)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_ctrl_c_during_load_says_how_far_it_got():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quick)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        process = subprocess.Popen([sys.executable, "-m", "monlab", "load", "/", "--url", url, "-n", "100000", "-c", "2"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        server.shutdown()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    reached = re.search(r"ended early: (\d+) of 100000 planned requests sent", err)
    assert reached and 0 < int(reached.group(1)) < 100000, err
