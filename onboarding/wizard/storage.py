"""Where the wizard keeps its answers: formtools' session storage, written only on change."""

from formtools.wizard.storage.session import SessionStorage


class WizardStorage(SessionStorage):
    """formtools' session storage, but the session is saved only when the wizard changes.

    The stock storage marks the session modified on every read, which costs a
    session write on every page view.
    """

    def _get_data(self):
        return self.request.session[self.prefix]

    # SessionStorage binds `data` to its own _get_data, so overriding the method alone changes nothing.
    data = property(_get_data, SessionStorage._set_data)

    def _changed(self):
        self.request.session.modified = True

    def _set_current_step(self, step):
        if step != self.current_step:
            super()._set_current_step(step)
            self._changed()

    def set_step_data(self, step, cleaned_data):
        super().set_step_data(step, cleaned_data)
        self._changed()

    def _set_extra_data(self, extra_data):
        super()._set_extra_data(extra_data)
        self._changed()
