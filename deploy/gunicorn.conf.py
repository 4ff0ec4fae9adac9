"""gunicorn configuration for PartyHub (docs/deployment.md, "gunicorn").

Started by deploy/systemd/partyhub-web.service as
`.venv/bin/gunicorn --config deploy/gunicorn.conf.py` from the checkout, with the environment of
/etc/partyhub/env (deploy/env.example). Every name below is a gunicorn setting;
tests/test_deploy_files.py imports this file and checks it.
"""

import os

wsgi_app = "partyhub.wsgi:application"

# Loopback only: nginx (deploy/nginx/partyhub.conf) is the one client, and it terminates HTTPS.
# Never bind a public address: Django trusts the X-Forwarded-Proto and X-Forwarded-For headers nginx
# sets, which a direct caller could forge.
bind = ["127.0.0.1:8000"]

# About two synchronous workers per core. A province-wide export holds a worker for up to 30 s
# (docs/performance.md), so keep a few spare.
workers = 2 * (os.cpu_count() or 1) + 1
# A request still running after this many seconds is killed (the worker restarts). The slowest
# page-bound requests (the province's Excel export) take about 30 s.
timeout = 60
# On restart (systemctl restart or a deployment), running requests get this long to finish.
graceful_timeout = 30
# Replace each worker after about this many requests, so a worker that grew on one large upload or
# export does not keep the memory; the jitter keeps them from restarting all at once.
max_requests = 1000
max_requests_jitter = 100

# Access log and errors to stderr, which systemd hands to the journal (journalctl -u partyhub-web).
accesslog = "-"
errorlog = "-"
loglevel = "info"

proc_name = "partyhub-web"
