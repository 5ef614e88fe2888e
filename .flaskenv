# Read by the `flask` command only (python-dotenv); real environment variables win.
FLASK_APP=webapp
APP_ENV=development
