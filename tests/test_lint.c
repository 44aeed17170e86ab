/*
 * test_lint.c: the lint of include/sek/attrs.h (src/attrs_lint.c).
 *
 *  - the rule table itself: unique ids, an evidence for every rule, and every rule triggered by
 *    a row of the table below (a rule without a test fails here);
 *  - one row per rule: a dictionary that triggers it and the nearest one that does not (the same
 *    dictionary with the defect fixed), linted as the given kind;
 *  - the seed's two dictionaries: the verdict a careful auditor gives (no error: the failure of
 *    the seed happens on the device later; the warnings name what to fix);
 *  - positions, ordering, determinism, kind inference, builder-made trees, misuse;
 *  - `sek lint` itself: the compiler form and the exit statuses (skipped when the tool is not
 *    built).
 */
#include "sek_test.h"

#include <sek/attrs.h>

typedef struct {
  const char *rule;
  sek_lint_kind kind;
  const char *trigger; /* has a finding of rule */
  const char *clean;   /* has none */
} rule_row;

static const rule_row rows[] = {
    {"SE001", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeRSA,\n"
     "  kSecAttrKeySizeInBits: 2048,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"SE002", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"SE003", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 384,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: \"256\",\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"SE004", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.biometryAny, .or, .devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"SE005", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlocked, [.privateKeyUsage, .biometryAny, .or, .devicePasscode], "
     "nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"SE006", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrSynchronizable: true,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrSynchronizable: false,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"SE007", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyClass: kSecAttrKeyClassPrivate,\n"
     "  kSecValueData: Data([0x04, 0x01, 0x02]),\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrKeyClass: kSecAttrKeyClassPrivate,\n"
     "  kSecValueData: Data([0x04, 0x01, 0x02]),\n"
     "]\n"},
    {"AC001", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "\"sometimes\" as CFString, [.privateKeyUsage], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly, [.privateKeyUsage], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"AC002", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, "
     ".devicePasscode, .or, .and], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, "
     ".devicePasscode, .and], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"AC003", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, "
     ".biometryCurrentSet], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryCurrentSet, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"AC004", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .userPresence, "
     ".biometryAny], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .userPresence], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"AC005", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .faceID], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .userPresence], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"AC006", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .or, .devicePasscode], "
     "nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"AC007", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .userPresence], nil)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, .userPresence, nil)!,\n"
     "  ],\n"
     "]\n"},
    {"AC008", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryCurrentSet, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"AC009", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"AC010", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .userPresence], nil)!,\n"
     "    kSecAttrAccessible: kSecAttrAccessibleAfterFirstUnlock,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .userPresence], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"AC011", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .userPresence], nil)!,\n"
     "    kSecAttrAccessible: kSecAttrAccessibleWhenUnlockedThisDeviceOnly,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .userPresence], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"PD001", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrAccessible: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrAccessible: kSecAttrAccessibleAfterFirstUnlock,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"SY001", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrSynchronizable: true,\n"
     "  kSecAttrAccessible: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrSynchronizable: true,\n"
     "  kSecAttrAccessible: kSecAttrAccessibleAfterFirstUnlock,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"KG001", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "]\n"},
    {"KG002", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeRSA,\n"
     "  kSecAttrKeySizeInBits: 2048,\n"
     "  kSecAttrApplicationTag: \"com.example.rsa\".data(using: .utf8)!,\n"
     "]\n",
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeRSA,\n"
     "  kSecAttrKeySizeInBits: 2048,\n"
     "  kSecAttrIsPermanent: true,\n"
     "  kSecAttrApplicationTag: \"com.example.rsa\".data(using: .utf8)!,\n"
     "]\n"},
    {"KG003", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecReturnRef: true,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"QY001", SEK_LINT_QUERY,
     "[\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecReturnRef: true,\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "]\n"},
    {"QY002", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecAttrKeyTypeRSA,\n"
     "  kSecReturnRef: true,\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "]\n"},
    {"QY003", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecMatchLimit: true,\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecMatchLimit: kSecMatchLimitOne,\n"
     "]\n"},
    {"QY004", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecMatchLimit: kSecMatchLimitAll,\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecMatchLimit: 1,\n"
     "]\n"},
    {"QY005", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecReturnRef: 1,\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "]\n"},
    {"QY006", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecReturnAttributes: true,\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecReturnAttributes: false,\n"
     "]\n"},
    {"QY007", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecPrivateKeyAttrs: [kSecAttrIsPermanent: true],\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecAttrIsPermanent: true,\n"
     "]\n"},
    {"QY008", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecAttrAccount: \"alice\",\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecAttrLabel: \"alice\",\n"
     "]\n"},
    {"QY009", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecReturnData: true,\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "]\n"},
    {"TY001", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecAttrApplicationLabel: \"unique label\",\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecAttrApplicationLabel: \"unique label\".data(using: .utf8)!,\n"
     "]\n"},
    {"TY002", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrIsPermanent: \"yes\",\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrIsPermanent: true,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"TY003", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecAttrKeyClass: kSecAttrKeyTypeRSA,\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecAttrKeyClass: kSecAttrKeyClassPrivate,\n"
     "]\n"},
    {"DP001", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .touchIDAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrAccessControl: SecAccessControlCreateWithFlags(kCFAllocatorDefault, "
     "kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or, "
     ".devicePasscode], nil)!,\n"
     "    kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"DP002", SEK_LINT_QUERY,
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecUseOperationPrompt: \"Verify your identity\",\n"
     "]\n",
     "[\n"
     "  kSecClass: kSecClassKey,\n"
     "  kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecReturnRef: true,\n"
     "  kSecUseAuthenticationContext: context,\n"
     "]\n"},
    {"DP003", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrAccessible: kSecAttrAccessibleAlways,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrAccessible: kSecAttrAccessibleAfterFirstUnlock,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"UK001", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  \"kSecAttrLabel\": \"x\",\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrLabel: \"x\",\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"UK002", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrAccessible: kSecAttrAccessibleWhenUnlockedSometimes,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrAccessible: kSecAttrAccessibleWhenUnlocked,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
    {"RF001", SEK_LINT_KEYGEN,
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrLabel: label,\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n",
     "[\n"
     "  kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
     "  kSecAttrKeySizeInBits: 256,\n"
     "  kSecAttrLabel: \"label\",\n"
     "  kSecPrivateKeyAttrs: [\n"
     "    kSecAttrIsPermanent: true,\n"
     "    kSecAttrApplicationTag: \"com.example.soft\".data(using: .utf8)!,\n"
     "  ],\n"
     "]\n"},
};

#define NUM_ROWS (sizeof rows / sizeof rows[0])

static sek_attrs *parse_ok(const char *text) {
  sek_attrs *a = NULL;
  sek_attrs_parse_error err;
  int st = sek_attrs_parse(text, strlen(text), &a, &err);
  if (st != SEK_OK)
    fail_msg("parse failed at %u:%u: %s\n%s", err.line, err.col, err.message, text);
  return a;
}

static sek_lint_report *lint_text(const char *text, sek_lint_kind kind) {
  sek_attrs *a = parse_ok(text);
  sek_lint_report *r = NULL;
  assert_int_equal(sek_attrs_lint(a, kind, &r), SEK_OK);
  sek_attrs_free(a);
  return r;
}

static const sek_lint_finding *find(const sek_lint_report *r, const char *rule) {
  for (size_t i = 0; i < sek_lint_count(r); i++)
    if (strcmp(sek_lint_get(r, i)->rule_id, rule) == 0)
      return sek_lint_get(r, i);
  return NULL;
}

static void print_report(const sek_lint_report *r) {
  for (size_t i = 0; i < sek_lint_count(r); i++) {
    const sek_lint_finding *f = sek_lint_get(r, i);
    print_message("  %u:%u %s %s\n", f->line, f->col, f->rule_id, f->message);
  }
}

static void rule_table_is_complete(void **state) {
  (void)state;
  assert_true(sek_lint_rule_count() >= 30);
  for (size_t i = 0; i < sek_lint_rule_count(); i++) {
    const sek_lint_rule *r = sek_lint_rule_at(i);
    assert_non_null(r);
    assert_true(strlen(r->id) == 5);
    assert_true(r->summary[0] != '\0' && r->evidence[0] != '\0');
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(r->id, sek_lint_rule_at(j)->id);
    bool tested = false;
    for (size_t k = 0; k < NUM_ROWS; k++)
      tested |= strcmp(rows[k].rule, r->id) == 0;
    if (!tested)
      fail_msg("rule %s has no trigger/clean row in test_lint.c", r->id);
  }
  assert_null(sek_lint_rule_at(sek_lint_rule_count()));
}

static void each_rule_triggers_and_clears(void **state) {
  (void)state;
  for (size_t i = 0; i < NUM_ROWS; i++) {
    sek_lint_report *t = lint_text(rows[i].trigger, rows[i].kind);
    sek_lint_report *c = lint_text(rows[i].clean, rows[i].kind);
    const sek_lint_finding *ft = find(t, rows[i].rule), *fc = find(c, rows[i].rule);
    const sek_lint_rule *rule = NULL;
    for (size_t j = 0; j < sek_lint_rule_count(); j++)
      if (strcmp(sek_lint_rule_at(j)->id, rows[i].rule) == 0)
        rule = sek_lint_rule_at(j);
    assert_non_null(rule);
    if (ft == NULL) {
      print_report(t);
      fail_msg("%s: the trigger dictionary has no %s finding", rows[i].rule, rows[i].rule);
    }
    if (fc != NULL) {
      print_report(c);
      fail_msg("%s: the clean dictionary has a %s finding", rows[i].rule, rows[i].rule);
    }
    /* the finding carries its rule's severity and evidence, and points into the text */
    assert_int_equal(ft->severity, rule->severity);
    assert_ptr_equal(ft->evidence, rule->evidence);
    assert_true(ft->line >= 1 && ft->col >= 1 && ft->message[0] != '\0');
    assert_int_equal(sek_lint_has_errors(t),
                     find(t, rows[i].rule)->severity == SEK_LINT_ERROR || sek_lint_has_errors(t));
    sek_lint_report_free(t);
    sek_lint_report_free(c);
  }
}

/* The seed (../shared/seed/devforums-secure-enclave-signing-failure.txt), verbatim. */
#include "seed_dicts.h"

static void seed_keygen_verdict(void **state) {
  (void)state;
  sek_lint_report *r = lint_text(seed_keygen, SEK_LINT_AUTO);
  assert_int_equal(sek_lint_report_kind(r), SEK_LINT_KEYGEN);
  /* the dictionary works on a device: no error; what an auditor flags is there */
  assert_false(sek_lint_has_errors(r));
  const sek_lint_finding *dep = find(r, "DP001"), *lbl = find(r, "TY001"), *bio = find(r, "AC009");
  assert_non_null(dep);
  assert_non_null(strstr(dep->message, ".biometryAny"));
  assert_non_null(lbl);
  assert_int_equal(lbl->line, 14);
  assert_int_equal(lbl->col, 31); /* the value "unique label" */
  assert_non_null(bio);
  assert_int_equal(bio->line, 6); /* SecAccessControlCreateWithFlags( */
  assert_int_equal(bio->col, 32);
  assert_null(find(r, "SE004")); /* .privateKeyUsage is there */
  assert_null(find(r, "AC008")); /* .touchIDAny is BiometryAny, not CurrentSet */
  sek_lint_report_free(r);
}

static void seed_query_verdict(void **state) {
  (void)state;
  sek_lint_report *r = lint_text(seed_query, SEK_LINT_AUTO);
  assert_int_equal(sek_lint_report_kind(r), SEK_LINT_QUERY);
  assert_false(sek_lint_has_errors(r));
  const sek_lint_finding *p = find(r, "DP002");
  assert_non_null(p);
  assert_int_equal(p->line, 6);
  assert_int_equal(p->col, 5);
  assert_non_null(strstr(p->message, "kSecUseAuthenticationContext"));
  assert_non_null(find(r, "TY001"));
  assert_int_equal(sek_lint_count(r), 2);
  sek_lint_report_free(r);
}

/* The seed's failure mode: the same key with .biometryCurrentSet is the warning it deserved. */
static void seed_with_current_set_warns_of_permanent_loss(void **state) {
  (void)state;
  char text[sizeof seed_keygen + 64];
  const char *at = strstr(seed_keygen, ".touchIDAny");
  assert_non_null(at);
  snprintf(text, sizeof text, "%.*s.biometryCurrentSet%s", (int)(at - seed_keygen), seed_keygen,
           at + strlen(".touchIDAny"));
  sek_lint_report *r = lint_text(text, SEK_LINT_AUTO);
  const sek_lint_finding *f = find(r, "AC008");
  assert_non_null(f);
  assert_int_equal(f->severity, SEK_LINT_WARNING);
  assert_non_null(strstr(f->message, "0xe007c009"));
  assert_null(find(r, "DP001"));
  sek_lint_report_free(r);
}

static void findings_are_sorted_and_deterministic(void **state) {
  (void)state;
  const char *text =
      "[\n"
      "  kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
      "  kSecAttrKeyType: kSecAttrKeyTypeRSA,\n"
      "  kSecAttrSynchronizable: true,\n"
      "  kSecAttrAccessControl: SecAccessControlCreateWithFlags(nil, "
      "kSecAttrAccessibleAlways, [.touchIDAny, .touchIDCurrentSet, .or, .and], nil)!,\n"
      "]\n";
  sek_lint_report *a = lint_text(text, SEK_LINT_AUTO), *b = lint_text(text, SEK_LINT_AUTO);
  assert_true(sek_lint_count(a) >= 8);
  assert_int_equal(sek_lint_count(a), sek_lint_count(b));
  for (size_t i = 0; i < sek_lint_count(a); i++) {
    const sek_lint_finding *x = sek_lint_get(a, i), *y = sek_lint_get(b, i);
    assert_string_equal(x->rule_id, y->rule_id);
    assert_string_equal(x->message, y->message);
    if (i > 0) {
      const sek_lint_finding *p = sek_lint_get(a, i - 1);
      assert_true(p->line < x->line || (p->line == x->line && p->col < x->col) ||
                  (p->line == x->line && p->col == x->col && strcmp(p->rule_id, x->rule_id) <= 0));
    }
  }
  /* each defect of that dictionary, by rule */
  const char *want[] = {"SE001", "SE005", "SE006", "AC002", "AC003", "AC008", "DP001", "DP003"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    if (find(a, want[i]) == NULL)
      fail_msg("expected a %s finding", want[i]);
  assert_true(sek_lint_has_errors(a));
  sek_lint_report_free(a);
  sek_lint_report_free(b);
}

static void kind_is_inferred(void **state) {
  (void)state;
  static const struct {
    const char *text;
    sek_lint_kind kind;
  } k[] = {
      {"[kSecAttrKeyType: kSecAttrKeyTypeEC]", SEK_LINT_KEYGEN},
      {"[kSecClass: kSecClassKey]", SEK_LINT_QUERY},
      {"[kSecReturnRef: true]", SEK_LINT_QUERY},
      {"[kSecMatchLimit: kSecMatchLimitOne]", SEK_LINT_QUERY},
      {"[kSecClass: kSecClassKey, kSecValueRef: key]", SEK_LINT_QUERY},
      /* SecKeyCreateRandomKey ignores a kSecClass: private-key attributes say key generation */
      {"[kSecClass: kSecClassKey, kSecPrivateKeyAttrs: [:]]", SEK_LINT_KEYGEN},
  };
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
    sek_lint_report *r = lint_text(k[i].text, SEK_LINT_AUTO);
    if (sek_lint_report_kind(r) != k[i].kind)
      fail_msg("%s: inferred the wrong kind", k[i].text);
    sek_lint_report_free(r);
  }
}

static void builder_trees_lint_without_positions(void **state) {
  (void)state;
  sek_attrs *a = sek_attrs_new();
  assert_int_equal(sek_attrs_set_constant(a, "kSecAttrTokenID", "kSecAttrTokenIDSecureEnclave"),
                   SEK_OK);
  assert_int_equal(sek_attrs_set_constant(a, "type", "42"), SEK_OK);
  assert_int_equal(sek_attrs_set_access_control(a, "accc", "aku", SEK_AC_BIOMETRY_ANY), SEK_OK);
  sek_lint_report *r = NULL;
  assert_int_equal(sek_attrs_lint(a, SEK_LINT_AUTO, &r), SEK_OK);
  const sek_lint_finding *f = find(r, "SE001");
  assert_non_null(f);
  assert_int_equal(f->line, 0);
  assert_int_equal(f->col, 0);
  assert_non_null(find(r, "SE004"));
  assert_true(sek_lint_has_errors(r));
  sek_lint_report_free(r);
  sek_attrs_free(a);
}

static void a_clean_se_key_and_query_have_no_findings(void **state) {
  (void)state;
  const char *keygen =
      "let access = SecAccessControlCreateWithFlags(kCFAllocatorDefault,\n"
      "    kSecAttrAccessibleWhenUnlockedThisDeviceOnly, [.privateKeyUsage, .biometryAny, .or,\n"
      "    .devicePasscode], nil)!\n"
      "let attributes: NSDictionary = [\n"
      "    kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
      "    kSecAttrKeySizeInBits: 256,\n"
      "    kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
      "    kSecPrivateKeyAttrs: [\n"
      "        kSecAttrIsPermanent: true,\n"
      "        kSecAttrApplicationTag: \"com.example.key\".data(using: .utf8)!,\n"
      "        kSecAttrAccessControl: access,\n"
      "    ],\n"
      "]\n";
  const char *query = "[kSecClass: kSecClassKey, kSecAttrApplicationTag: <636f6d>,\n"
                      " kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
                      " kSecAttrKeyClass: kSecAttrKeyClassPrivate, kSecReturnRef: true,\n"
                      " kSecMatchLimit: kSecMatchLimitOne, kSecUseAuthenticationContext: ctx]";
  const char *texts[] = {keygen, query};
  for (size_t i = 0; i < 2; i++) {
    sek_lint_report *r = lint_text(texts[i], SEK_LINT_AUTO);
    if (sek_lint_count(r) != 0) {
      print_report(r);
      fail_msg("a correct dictionary has findings");
    }
    sek_lint_report_free(r);
  }
}

static void misuse(void **state) {
  (void)state;
  sek_lint_report *r = NULL;
  sek_attrs *a = sek_attrs_new();
  assert_int_equal(sek_attrs_lint(NULL, SEK_LINT_AUTO, &r), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_lint(a, SEK_LINT_AUTO, NULL), SEK_ERR_ARG);
  assert_int_equal(sek_attrs_lint(a, (sek_lint_kind)7, &r), SEK_ERR_ARG);
  assert_null(r);
  assert_int_equal(sek_lint_count(NULL), 0);
  assert_null(sek_lint_get(NULL, 0));
  assert_false(sek_lint_has_errors(NULL));
  sek_lint_report_free(NULL);
  /* an empty keygen dictionary misses its key type */
  assert_int_equal(sek_attrs_lint(a, SEK_LINT_AUTO, &r), SEK_OK);
  assert_non_null(find(r, "KG001"));
  assert_null(sek_lint_get(r, sek_lint_count(r)));
  sek_lint_report_free(r);
  sek_attrs_free(a);
}

/* ---- the command ---- */

/* The tool's path in buf, or NULL when it is not built. */
static const char *tool_path(char *buf, size_t cap) {
  snprintf(buf, cap, "%s/sek", SEK_BINARY_DIR);
  return access(buf, X_OK) == 0 ? buf : NULL;
}

/* Runs `sek ARGS < input`, returns the exit status and stdout (malloc'd) in *out. */
static int run_tool(const char *tool, const char *args, const char *input, char **out) {
  char in[] = "/tmp/sek-test-lint-XXXXXX";
  int fd = mkstemp(in);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, input, strlen(input)), (ssize_t)strlen(input));
  close(fd);
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "'%s' %s < '%s' 2>/dev/null", tool, args, in);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t cap = 65536, len = 0, n;
  char *buf = malloc(cap);
  assert_non_null(buf);
  while ((n = fread(buf + len, 1, cap - 1 - len, p)) > 0)
    len += n;
  buf[len] = '\0';
  int st = pclose(p);
  unlink(in);
  *out = buf;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs the tool and checks the status and that each needle is in the output; frees it all. */
static void expect_tool(const char *tool, const char *args, const char *input, int status,
                        const char *needle1, const char *needle2) {
  char *out;
  int st = run_tool(tool, args, input, &out);
  bool ok = st == status && (needle1 == NULL || strstr(out, needle1) != NULL) &&
            (needle2 == NULL || strstr(out, needle2) != NULL);
  if (!ok)
    print_message("sek %s: status %d, output:\n%s", args, st, out);
  free(out);
  assert_true(ok);
}

static void command_prints_the_compiler_form(void **state) {
  (void)state;
  char path[4096];
  const char *tool = tool_path(path, sizeof path);
  if (tool == NULL)
    skip();
  /* warnings only: exit 0, FILE:LINE:COL: warning: … [RULE] */
  expect_tool(tool, "lint -", seed_query, 0,
              "<stdin>:6:5: warning: kSecUseOperationPrompt is deprecated", "[DP002]\n");
  /* an error: exit 1 */
  expect_tool(tool, "lint --kind keygen -", rows[0].trigger, 1,
              ": error: the Secure Enclave holds only NIST P-256 EC keys", "[SE001]\n");
  /* a parse error in the same form: exit 1 */
  expect_tool(tool, "lint -", "[kSecClass kSecClassKey]", 1,
              "<stdin>:1:12: error: expected ':' after the key 'kSecClass'", NULL);
  /* JSON */
  expect_tool(tool, "lint --json -", seed_keygen, 0, "\"kind\":\"keygen\",\"errors\":false",
              "\"rule\":\"TY001\"");
  /* usage */
  expect_tool(tool, "lint --kind sideways -", "", 2, NULL, NULL);
  expect_tool(tool, "lint", "", 2, NULL, NULL);
  expect_tool(tool, "lint --help", "", 0, "usage: sek lint", NULL);
  expect_tool(tool, "lint --rules", "", 0, "SE001 error", "evidence:");
  /* sek attrs print: the canonical form */
  expect_tool(tool, "attrs print -", "[klbl: <01>, class: kSecClassKey]", 0,
              "[\n  kSecClass: kSecClassKey,\n  kSecAttrApplicationLabel: <01>,\n]\n", NULL);
  expect_tool(tool, "attrs print -", "[klbl: <01>", 1, NULL, NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(rule_table_is_complete),
    cmocka_unit_test(each_rule_triggers_and_clears),
    cmocka_unit_test(seed_keygen_verdict),
    cmocka_unit_test(seed_query_verdict),
    cmocka_unit_test(seed_with_current_set_warns_of_permanent_loss),
    cmocka_unit_test(findings_are_sorted_and_deterministic),
    cmocka_unit_test(kind_is_inferred),
    cmocka_unit_test(builder_trees_lint_without_positions),
    cmocka_unit_test(a_clean_se_key_and_query_have_no_findings),
    cmocka_unit_test(misuse),
    cmocka_unit_test(command_prints_the_compiler_form),
};

SEK_TEST_MAIN(tests)
