#!/bin/sh
# Installs the Debian/Ubuntu packages the console needs at run time and for its tests:
# Qt + QtWebEngine runtime libraries, a virtual display, Chinese fonts, PortAudio, espeak-ng.
# Installs only what is missing. As root it uses apt-get; otherwise it prints the list and
# the command to run, and fails, so a newcomer knows exactly what to do.
set -eu

# Package names differ between Debian 12 and Ubuntu 24.04 (t64 transition).
alsa=libasound2
if ! apt-cache show libasound2 >/dev/null 2>&1 || apt-cache show libasound2t64 >/dev/null 2>&1; then
    if apt-cache show libasound2t64 >/dev/null 2>&1; then alsa=libasound2t64; fi
fi

PKGS="$alsa libegl1 libfontconfig1 libglib2.0-0 libnss3 libpcsclite1 libpulse0 \
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcomposite1 libxdamage1 \
libxkbcommon-x11-0 libxtst6 libgl1 libxfixes3 libxrandr2 libxcb-glx0 libxkbfile1 \
libxkbcommon0 libdbus-1-3 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 \
fontconfig fonts-noto-cjk xvfb xauth libportaudio2 espeak-ng"

# `--test` adds what only the test suite needs: a PostgreSQL server for the shared-database tests,
# and GStreamer's RTSP server with H.264/H.265 encoders and Debian's python3-gi for the RTSP
# camera tests (tests/integration/media/rtsp_server.py runs under /usr/bin/python3).
if [ "${1:-}" = "--test" ]; then
    PKGS="$PKGS postgresql gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-good \
gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-rtsp gstreamer1.0-libav"
fi

# Python's venv module (a minimal Debian has python3 without ensurepip).
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    pyver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    PKGS="$PKGS python3-venv python${pyver}-venv"
fi

missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    echo "system-deps: all system packages present"
    exit 0
fi

echo "system-deps: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: not root. Install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
echo "system-deps: installed:$missing"
