"""The admin's review of new signups: the queue, its actions and export, the funnel page, groups, the site header."""
