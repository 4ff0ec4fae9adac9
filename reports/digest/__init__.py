"""The monthly digest (docs/domain.md §5; docs/digest.md).

recipients.py  who gets it, with one section per organisation they hold a role in
content.py     what a section says, read as plain data before any template runs
message.py     the email: subject.txt / body.txt / body.html, inlined CSS, List-Unsubscribe
delivery.py    one row per user and month, claimed with a conditional UPDATE, then sent once
schedule.py    the first working day of the month
tasks.py       thin Celery adapters over delivery.py
services.py    the preference writes; forms.py and views.py the preferences, preview and unsubscribe pages
"""
