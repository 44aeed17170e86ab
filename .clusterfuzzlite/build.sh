#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for sekfuzz (the contract: $CC, $CXX, $CFLAGS,
# $CXXFLAGS, $LIB_FUZZING_ENGINE, $SRC, $WORK, $OUT; see FUZZING.md).
#
# libsek and the fuzz targets are built by the project's own CMake, with the environment's
# compiler and flags only (SEK_SANITIZE empty: $CFLAGS already has the sanitizer and coverage
# flags; no -fsanitize=fuzzer of ours: the targets link $LIB_FUZZING_ENGINE, which is
# -fsanitize=fuzzer for libFuzzer and libAFLDriver.a for AFL++, through CMake's engine-library
# variable SEK_AFL_DRIVER).  Executables are linked by $CXX, as the contract asks.  OpenSSL 3
# comes from $SEK_OPENSSL_ROOT (the Dockerfile builds it there, static) and SQLite is linked
# statically, so the targets run in the base-runner image, which has neither library.
#
# Into $OUT, per target T of ci/lib.sh's sek_targets: fuzz_T, fuzz_T.options, fuzz_T.dict
# (when dict/T.dict exists) and fuzz_T_seed_corpus.zip (corpus/T, flat).
set -eu
cd "$SRC/sekfuzz"
. ci/lib.sh

build="$WORK/sekfuzz-build"
openssl=${SEK_OPENSSL_ROOT:-/opt/openssl3}
extra=()
if [ -d "$openssl" ]; then
  extra+=(-DOPENSSL_ROOT_DIR="$openssl" -DOPENSSL_USE_STATIC_LIBS=TRUE)
fi
sqlite_a=$(find /usr/lib /usr/local/lib -name libsqlite3.a 2>/dev/null | head -n1 || true)
if [ -n "$sqlite_a" ]; then
  extra+=(-DSQLite3_LIBRARY="$sqlite_a")
fi

cmake -S . -B "$build" \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_C_FLAGS="$CFLAGS" \
  -DCMAKE_EXE_LINKER_FLAGS="$CXXFLAGS" \
  -DCMAKE_C_LINK_EXECUTABLE="$CXX <FLAGS> <CMAKE_C_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>" \
  -DCMAKE_C_STANDARD_LIBRARIES="-ldl -lpthread -lm" \
  -DSEK_FUZZ_ENGINE=afl \
  -DSEK_AFL_DRIVER:STRING="$LIB_FUZZING_ENGINE" \
  -DSEK_SANITIZE= \
  -DSEK_WERROR=OFF \
  -DSEK_BUILD_TESTS=OFF \
  -DSEK_BUILD_TOOLS=OFF \
  "${extra[@]}"

targets=$(sek_targets)
make_targets=()
for t in $targets; do make_targets+=("fuzz_$t"); done
cmake --build "$build" -j"$(nproc)" --target "${make_targets[@]}"

for t in $targets; do
  cp "$build/fuzz/fuzz_$t" "$OUT/fuzz_$t"
  [ -f "targets/fuzz_$t.options" ] && cp "targets/fuzz_$t.options" "$OUT/fuzz_$t.options"
  [ -f "dict/$t.dict" ] && cp "dict/$t.dict" "$OUT/fuzz_$t.dict"
  if [ -d "corpus/$t" ] && [ -n "$(ls -A "corpus/$t")" ]; then
    rm -f "$OUT/fuzz_${t}_seed_corpus.zip"
    (cd "corpus/$t" && zip -q -j "$OUT/fuzz_${t}_seed_corpus.zip" ./*)
  fi
done
echo "build.sh: $(echo $targets | wc -w) target(s) in $OUT"
