#!/usr/bin/env bash
# Runs Mosquitto with yiyang's configuration (mosquitto.conf.in beside this script).
#
#   bash deploy/mosquitto/start.sh [--dir DIR] [--port PORT] [--bind ADDR] [--daemon]
#
# DIR (default ./yiyang-data/mosquitto) holds the rendered mosquitto.conf, the dynamic security
# file and the persistence file. On the first start it creates the `yiyang` account with the
# password in $YIYANG_BROKER_PASSWORD (or a random one) and writes the URL yiyang connects with
# to DIR/mqtt-url (mode 600): `yiyang serve --mqtt-url "$(cat DIR/mqtt-url)"`, or
# `export YIYANG_MQTT_URL=$(cat DIR/mqtt-url)`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir=./yiyang-data/mosquitto
port=1883
bind=127.0.0.1
daemon=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --bind) bind="$2"; shift 2 ;;
    --daemon) daemon=1; shift ;;
    *) echo "start.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v mosquitto >/dev/null || { echo "start.sh: mosquitto is not installed (apt install mosquitto)" >&2; exit 1; }
plugin=""
for candidate in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so \
  /usr/local/lib/mosquitto_dynamic_security.so /usr/lib/*/mosquitto/mosquitto_dynamic_security.so; do
  if [ -f "$candidate" ]; then plugin="$candidate"; break; fi
done
[ -n "$plugin" ] || { echo "start.sh: mosquitto_dynamic_security.so not found (Mosquitto 2.0 or later ships it)" >&2; exit 1; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
if [ ! -f "$dir/dynamic-security.json" ]; then
  password="${YIYANG_BROKER_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}"
  mosquitto_ctrl dynsec init "$dir/dynamic-security.json" yiyang "$password" >/dev/null
  umask 077
  echo "mqtt://yiyang:${password}@127.0.0.1:${port}" > "$dir/mqtt-url"
fi
# Started as root, Mosquitto drops to its own user: that user must be able to save the account
# file and the queued messages.
if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then
  chown mosquitto "$dir" "$dir/dynamic-security.json"
  [ -f "$dir/mosquitto.db" ] && chown mosquitto "$dir/mosquitto.db"
fi
sed -e "s|@PORT@|$port|" -e "s|@BIND@|$bind|" -e "s|@DIR@|$dir|g" -e "s|@PLUGIN@|$plugin|" \
  "$here/mosquitto.conf.in" > "$dir/mosquitto.conf"
if [ "$daemon" = 1 ]; then
  mosquitto -c "$dir/mosquitto.conf" -d
  for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && exit 0; sleep 0.25; done
  echo "start.sh: the broker did not open port $port" >&2; exit 1
fi
exec mosquitto -c "$dir/mosquitto.conf"
