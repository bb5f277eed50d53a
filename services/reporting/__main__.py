from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.serve import serve

if __name__ == "__main__":
    settings = ReportingSettings()
    serve(create_app(settings), settings)
