"""The insurer's intake service (``riskagent serve``): signed reports in over HTTPS, verified, stored, watched.

One module, one job: ``models`` (the tables), ``db`` (engines and sessions),
``migrate`` (Alembic), ``tokens`` and ``passwords`` (credentials), ``ingest``
(verify and store one envelope), ``ratelimit``, ``portfolio`` (the queries the
dashboard and the exports read), ``exports``, ``alerts`` (the evaluator),
``webhook``, ``monitor`` (the periodic loop), ``api`` and ``app`` (Flask),
``server`` (gunicorn with TLS) and ``cli``. Only ``cli`` is imported when the
command line starts, and it imports only click.
"""
