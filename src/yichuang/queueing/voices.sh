#!/usr/bin/env bash
# Generates the hall display's Mandarin voice fragments (offline, no browser
# voice needed) with espeak-ng's cmn voice, trimmed with sox, plus a chime.
# Usage: voices.sh OUT_DIR. A county may replace any file with a recording of
# the same name. Idempotent: does nothing when the fragments exist.
set -euo pipefail
out=${1:?output directory}
mkdir -p "$out"
# bump the marker when fragments are added, so existing installs regenerate
[ -f "$out/.complete-2" ] && exit 0
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
# the kiosk's elders' mode (长辈模式) prompts
say p_welcome "您好，请点击您要办理的业务，取号"
say p_taken "取号成功，请取走号票"
say p_ahead "您前面还有"
say p_ren 人
say p_wait "请在大厅等候叫号"
say p_error "取号没有成功，请咨询导办台工作人员"
sox -q -n -r 22050 -c 1 "$out/chime.wav" synth 0.35 sine 880 synth 0.35 sine 660 \
  fade 0 0.7 0.3 2>/dev/null || sox -q -n -r 22050 -c 1 "$out/chime.wav" synth 0.6 sine 784 fade 0 0.6 0.3
touch "$out/.complete-2"
echo "voice fragments: $(ls "$out"/*.wav | wc -l) files in $out"
