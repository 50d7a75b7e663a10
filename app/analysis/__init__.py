"""Content analysis of performance transcripts: 《营业性演出管理条例》 and the approved script.

``rules`` (data files in resources/rules), ``matcher`` (pinyin / fuzzy matching), ``script``
(script comparison), ``engine`` (findings), ``report`` (Chinese HTML/PDF/JSON), ``incidents``
(findings into the database and the venue's incident), ``batch`` and ``service`` (one batch run,
from the command line or the console), ``cli`` (``python -m app analyze``).
"""
