"""The lecture's app, verbatim (§3, §7, §8), as the baseline the lab app is measured against.

Only the last lines differ: port (and host, default loopback) come from the command line.
"""
from flask import Flask, Response, request
import time
import random
from prometheus_client import Counter, Histogram, generate_latest, CONTENT_TYPE_LATEST

app = Flask(__name__)

# Define metrics
REQUESTS = Counter('http_requests_total', 'Total HTTP Requests', ['method', 'endpoint'])
LATENCY = Histogram('http_request_duration_seconds', 'HTTP request latency in seconds')
ERRORS = Counter('http_errors_total', 'Total HTTP Errors')

@app.route('/')
def hello():
    REQUESTS.labels(method='GET', endpoint='/').inc()
    return "Hello, DevOps Monitoring!"

@app.route('/simulate-load')
def simulate_load():
    REQUESTS.labels(method='GET', endpoint='/simulate-load').inc()
    start_time = time.time()
    # Simulate CPU load
    x = 0
    for i in range(1000000):
        x += i
    duration = time.time() - start_time
    LATENCY.observe(duration)
    return f"Load simulated, result: {x}"

@app.route('/simulate-error')
def simulate_error():
    REQUESTS.labels(method='GET', endpoint='/simulate-error').inc()
    if random.random() < 0.5:  # 50% chance of error
        ERRORS.inc()
        return "Simulated Error", 500
    return "No error this time"

@app.route('/metrics')
def metrics():
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

LOGIN_ATTEMPTS = Counter('login_attempts_total', 'Total login attempts', ['status'])

@app.route('/login', methods=['POST'])
def login():
    REQUESTS.labels(method='POST', endpoint='/login').inc()
    if request.form.get('password') == 'secret':
        LOGIN_ATTEMPTS.labels(status='success').inc()
        return "Login successful"
    else:
        LOGIN_ATTEMPTS.labels(status='failure').inc()
        return "Login failed", 401

PURCHASE_AMOUNT = Counter('purchase_amount_total', 'Total purchase amount')

@app.route('/purchase', methods=['POST'])
def purchase():
    REQUESTS.labels(method='POST', endpoint='/purchase').inc()
    amount = float(request.form.get('amount', 0))
    PURCHASE_AMOUNT.inc(amount)
    return f"Purchase of ${amount} recorded"

if __name__ == '__main__':
    import sys
    app.run(host=sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1', port=int(sys.argv[1]))
