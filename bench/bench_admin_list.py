"""The staff's list of registrations in admin, with 100 and with 100,000 registrations.

Targets: median under 300 ms at 100,000, and the same number of SQL queries as with 100.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.common import Row, median_ms, other_columns, staff_client, time_calls

TARGET_MS = 300
REPEAT = 20


def run():
    from exams.models import ExamSession

    session = ExamSession.objects.get(year=2024)
    client = staff_client("bench-admin@ac-normandie.fr")

    rows, figures = [], {}
    for total, already in ((100, 0), (100_000, 100)):
        _insert(session, already, total)
        url = "/admin/exams/registration/?status__exact=draft"
        client.get(url)  # fills the caches (site configuration): the steady state is counted
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        count = len(queries)  # now: the next request clears the log
        samples = time_calls(lambda url=url: client.get(url), REPEAT, warmup=2)
        figures[total] = (count, median_ms(samples))
    (q100, ms100), (q100k, ms100k) = figures[100], figures[100_000]
    rows.append(Row("admin, liste des inscriptions (100), médiane", f"{ms100:.0f} ms"))
    rows.append(Row("admin, liste des inscriptions (100 000), médiane", f"{ms100k:.0f} ms", f"< {TARGET_MS} ms",
                    f"{ms100k / ms100:.1f} × la liste de 100", ms100k < TARGET_MS))
    rows.append(Row("admin, requêtes SQL de la liste, 100 / 100 000", f"{q100} / {q100k}", "identiques", "", q100 == q100k))
    return rows


def _insert(session, start, end):
    """Accounts and registrations made by the database itself, as in the purge benchmark."""
    from candidates.models import User

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            series, true, false = f"generate_series({start + 1}, {end}) AS n", "true", "false"
            prefix = ""
        else:
            series, true, false = "seq", "1", "0"
            prefix = f"WITH RECURSIVE seq(n) AS (SELECT {start + 1} UNION ALL SELECT n + 1 FROM seq WHERE n < {end}) "
        columns, values = other_columns(User, {
            "password": "'!'", "is_superuser": false, "email": "'liste' || n || '@exemple.fr'", "last_name": "'Nom' || n",
            "first_name": "'Prénom'", "is_staff": false, "is_active": true, "date_joined": "CURRENT_TIMESTAMP"})
        cursor.execute(f"{prefix}INSERT INTO candidates_user ({columns}) SELECT {values} FROM {series}")
        specialty = "(SELECT id FROM exams_specialty ORDER BY id LIMIT 1)"
        cursor.execute(f"""
            INSERT INTO exams_registration (candidate_id, session_id, number, status, version, created_at, updated_at,
                category, distance_learning_organisation, pathway, diploma, specialty_id, language, engagement_etudiant,
                claims_dispenses, keeps_grade_benefits, renounces_benefits, has_positioning_decision,
                has_internship_derogation, handicap, accommodation, pieces_missing, two_years_of_training,
                experience_job, experience_level, experience_field, distance_language_confirmed,
                residence_attested_postal_code)
            SELECT u.id, {session.pk}, '2024-L' || u.id, 'draft', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,
                'employee', '', 'scolaire', 'bac_pro', {specialty}, 'anglais', {false}, {false}, {false}, {false},
                {false}, {false}, {false}, '', 2, {true}, '', '', '', {false}, ''
            FROM candidates_user u WHERE u.email LIKE 'liste%' AND NOT EXISTS (
                SELECT 1 FROM exams_registration r WHERE r.candidate_id = u.id)""")
        # After a bulk load the planner needs fresh statistics, as autovacuum gives a live database.
        cursor.execute("ANALYZE")
