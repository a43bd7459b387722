"""Where the wizard keeps its answers: formtools' session storage, written only on change, and only once
there is something to keep."""

from formtools.wizard.storage.base import BaseStorage
from formtools.wizard.storage.session import SessionStorage


class WizardStorage(SessionStorage):
    """formtools' session storage, but the session is saved only when the wizard changes.

    The stock storage marks the session modified on every read, which costs a session write on every
    page view, and puts an empty wizard into the session of every visitor, which gives each visit a
    stored session (a bot fetching /signup/ could fill the session store). Here a wizard lives in the
    request only until a person sends an answer.
    """

    def __init__(self, prefix, request=None, file_storage=None):
        BaseStorage.__init__(self, prefix, request, file_storage)
        self.unsaved = None
        if self.prefix not in self.request.session:
            self.unsaved = {
                self.step_key: None,
                self.step_data_key: {},
                self.step_files_key: {},
                self.extra_data_key: {},
            }

    def _get_data(self):
        if self.unsaved is not None:
            return self.unsaved
        return self.request.session[self.prefix]

    def _set_data(self, value):
        self.unsaved = None
        SessionStorage._set_data(self, value)

    # SessionStorage binds `data` to its own _get_data, so overriding the method alone changes nothing.
    data = property(_get_data, _set_data)

    def _changed(self):
        if self.unsaved is not None:
            self.request.session[self.prefix] = self.unsaved
            self.unsaved = None
        self.request.session.modified = True

    def _set_current_step(self, step):
        if step != self.current_step:
            super()._set_current_step(step)
            if self.unsaved is None:  # where a visitor who sent nothing looks is not worth a session
                self._changed()

    def set_step_data(self, step, cleaned_data):
        super().set_step_data(step, cleaned_data)
        self._changed()

    def _set_extra_data(self, extra_data):
        super()._set_extra_data(extra_data)
        self._changed()
