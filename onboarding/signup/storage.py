"""Where the wizard keeps its answers: formtools' session storage layout, written only on change, and only once
there is something to keep."""

from formtools.wizard.storage.base import BaseStorage


class WizardStorage(BaseStorage):
    """formtools' storage (its layout, step data as lists of values), kept in a session or any dict like one.

    formtools' SessionStorage marks the session modified on every read, which costs a session write on every
    page view, and puts an empty wizard into the session of every visitor, which gives each visit a stored
    session (a bot fetching /signup/ could fill the session store). Here a wizard lives in the request only
    until a person sends an answer, and every change is written back by assignment, which is what tells a
    Django session that it changed (and works on a plain dict too).
    """

    def __init__(self, prefix, session):
        super().__init__(prefix)
        self.session = session
        self.unsaved = None
        if self.prefix not in session:
            self.unsaved = {
                self.step_key: None,
                self.step_data_key: {},
                self.step_files_key: {},
                self.extra_data_key: {},
            }

    @property
    def data(self):
        return self.unsaved if self.unsaved is not None else self.session[self.prefix]

    def _changed(self):
        self.session[self.prefix] = self.data
        self.unsaved = None

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
