#!/usr/bin/env bash
# Generates the hall display's Mandarin voice fragments (offline, no browser
# voice needed) with espeak-ng's cmn voice, trimmed with sox, plus a chime.
# Usage: voices.sh OUT_DIR. A county may replace any file with a recording of
# the same name. Idempotent: does nothing when the fragments exist.
set -euo pipefail
out=${1:?output directory}
mkdir -p "$out"
[ -f "$out/.complete" ] && exit 0
command -v espeak-ng >/dev/null && command -v sox >/dev/null || {
  echo "espeak-ng and sox are needed for the voice fragments (scripts/sysdeps.sh)"; exit 0; }
say() {  # say NAME TEXT [VOICE]
  espeak-ng -v "${3:-cmn}" -s 150 -w "$out/$1.raw.wav" "$2"
  sox -q "$out/$1.raw.wav" -r 22050 -c 1 "$out/$1.wav" \
    silence 1 0.02 1% reverse silence 1 0.02 1% reverse pad 0 0.05
  rm -f "$out/$1.raw.wav"
}
digits=(零 一 二 三 四 五 六 七 八 九)
for i in "${!digits[@]}"; do say "d$i" "${digits[$i]}"; done
say shi 十
for l in A B C D E F G H J K L M N P Q R S T U V W X Y Z; do say "l$l" "$l" en; done
say qing 请
say hao 号
say dao 到
say chuangkou 号窗口
say banli 办理
sox -q -n -r 22050 -c 1 "$out/chime.wav" synth 0.35 sine 880 synth 0.35 sine 660 \
  fade 0 0.7 0.3 2>/dev/null || sox -q -n -r 22050 -c 1 "$out/chime.wav" synth 0.6 sine 784 fade 0 0.6 0.3
touch "$out/.complete"
echo "voice fragments: $(ls "$out"/*.wav | wc -l) files in $out"
