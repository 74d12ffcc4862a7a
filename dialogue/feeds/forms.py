from flask_wtf import FlaskForm


class FeedTokenForm(FlaskForm):
    """Create, replace or revoke one's personal feed address: a button, CSRF-protected."""
