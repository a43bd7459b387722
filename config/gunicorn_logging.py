"""gunicorn's access log without live tokens: the links we mail carry them in their paths."""

from gunicorn import glogging

from onboarding.infra.logs import redact


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, with tokens in the request line, the path and the referrer replaced by [token]."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            atoms[key] = redact(atoms[key])
        return atoms
