# The GAN lab as a container: CPU-only torch, a non-root user, Streamlit on port 8501.
#   docker build -t gan-lab .
#   docker run --rm --init -p 8501:8501 gan-lab      # then open http://localhost:8501
FROM python:3.11.7-slim-bookworm

# The CPU build of torch: pip reads PIP_EXTRA_INDEX_URL, so the install line below stays
# exactly the Makefile's. requirements.txt pins torch==2.13.0, which matches the index's
# 2.13.0+cpu and ranks above PyPI's (CUDA) 2.13.0. A build ARG, not ENV: it reaches the
# RUN below but not the running container, and a mirror can be passed with --build-arg.
ARG PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1

RUN groupadd --gid 10001 app \
    && useradd --create-home --no-log-init --uid 10001 --gid 10001 app

WORKDIR /app

# Requirements first: editing the app does not re-run the (large) install layer.
COPY requirements.txt ./
RUN python -m pip install --no-cache-dir -r requirements.txt

# The app, owned by root and read-only to the user that runs it (uid 10001).
COPY .streamlit/ .streamlit/
COPY gan_core/ gan_core/
COPY ui/ ui/
COPY app_pages/ app_pages/
COPY app.py serve.py ./

USER 10001:10001

EXPOSE 8501

# python:slim has no curl; urlopen raises (exit 1) on a refused connection or a non-2xx.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"]

CMD ["python", "-m", "streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
