"""The site's own pages: landing, legal documents, error pages, and the context every page shares."""
