"""Which languages each specialty allows for its mandatory language épreuve, as the data migration
loads them (exams 0025); staff keep the table up to date in admin, on each specialty.

English is offered everywhere. Maintenance des systèmes and Bâtiment name their épreuve
« Anglais » (their seeded E2); the others offer the usual languages besides.
"""

ENGLISH_ONLY = {"MS", "BAT"}
USUAL = ["anglais", "allemand", "espagnol", "italien"]


def languages_of(specialty_code):
    return ["anglais"] if specialty_code in ENGLISH_ONLY else USUAL
