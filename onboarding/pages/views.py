"""The site's own pages: the landing page, the terms of use and the privacy notice, each in the page's language."""

from django.utils.translation import get_language
from django.views.generic import TemplateView

from onboarding.signup.pages import entry_url


class LegalPageView(TemplateView):
    """Show a legal document in the page's language, or in English when there is no translation.

    A site owner replaces the text with a template of the same name in the project's templates/
    directory (which Django searches before the app's), e.g. templates/onboarding/legal/terms.ko.html.
    """

    document = None  # "terms" or "privacy"

    def get_template_names(self):
        return [f"onboarding/legal/{self.document}.{get_language()}.html", f"onboarding/legal/{self.document}.en.html"]


class LandingView(TemplateView):
    """Say what the site is and link to the signup; greet someone logged in and link to their account."""

    template_name = "onboarding/landing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_authenticated:
            context["greeting_name"] = user.greeting_name
        else:
            context["signup_url"] = entry_url(self.request.session)
        return context
