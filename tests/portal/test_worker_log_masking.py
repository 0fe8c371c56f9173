"""The worker's log lines mask account links like the web server's."""

import logging

from portal.celery import _mask_account_links_in_worker_logs


def test_the_workers_log_handlers_mask_account_links(caplog):
    logger = logging.getLogger("test.worker")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        _mask_account_links_in_worker_logs(logger=logger)
        record = logger.makeRecord("test.worker", logging.WARNING, __file__, 1,
                                   "Retry in 60s: SMTPDataError(554, 'rejected https://x/compte/mot-de-passe/nouveau/MQ/abc-123def/')",
                                   (), None)
        assert all(f.filter(record) for f in handler.filters)
        assert "abc-123def" not in record.getMessage()
        assert "[masked]" in record.getMessage()
    finally:
        logger.removeHandler(handler)
