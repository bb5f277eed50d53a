# One image for all four services of Öppna Malmö; each container picks its service with
# its command, e.g. `python -m services.scheduling` (docker-compose.yml, deploy/kubernetes/).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Only what the package needs: the project metadata and the two package trees.
COPY pyproject.toml ./
COPY shared/ ./shared/
COPY services/ ./services/
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info

# Unprivileged user with a fixed numeric id (Kubernetes' runAsNonRoot can check it).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app
USER 10001:10001

# Listen on every interface inside the container; JSON logs for the log collector.
ENV HTTP_HOST=0.0.0.0 \
    LOG_JSON=true

EXPOSE 8101 8102 8103 8104

# Exec form: python is PID 1 and gets SIGTERM itself, so uvicorn drains in-flight work.
CMD ["python", "-m", "services.registry"]
