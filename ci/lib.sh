# ci/lib.sh: what every ci/ script shares.  Source it; it defines no behaviour of its own.
#
# sek_targets            the fuzz targets, one a line: the stems of targets/fuzz_*.c (the one list)
# sek_libfuzzer_flags T  the [libfuzzer] options of targets/fuzz_T.options as -key=value words
# sek_dict T             -dict=PATH when dict/T.dict exists
SEK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

sek_targets() {
  local f
  for f in "$SEK_ROOT"/targets/fuzz_*.c; do
    [ -e "$f" ] || continue
    f=${f##*/fuzz_}
    echo "${f%.c}"
  done
}

sek_libfuzzer_flags() {
  local file="$SEK_ROOT/targets/fuzz_$1.options"
  [ -f "$file" ] || return 0
  awk '
    /^[[:space:]]*\[/ { section = $0; gsub(/[][[:space:]]/, "", section); next }
    section == "libfuzzer" && /=/ {
      split($0, kv, "="); k = kv[1]; v = substr($0, index($0, "=") + 1)
      gsub(/[[:space:]]/, "", k); gsub(/^[[:space:]]+|[[:space:]]+$/, "", v)
      if (k != "") printf "-%s=%s\n", k, v
    }' "$file"
}

sek_dict() {
  [ -f "$SEK_ROOT/dict/$1.dict" ] && echo "-dict=$SEK_ROOT/dict/$1.dict"
  return 0
}
