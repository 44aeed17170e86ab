/*
 * seed_dicts.h: the two attribute dictionaries of the seed thread
 * (../shared/seed/devforums-secure-enclave-signing-failure.txt), verbatim, comments included:
 * the key-generation parameters of step 1 and the query of step 2.  Shared by the attrs, lint
 * and emulator tests, which must all read exactly what the thread's app wrote.
 */
#ifndef SEK_SEED_DICTS_H
#define SEK_SEED_DICTS_H

static const char seed_keygen[] =
    "[\n"
    "    kSecAttrTokenID: kSecAttrTokenIDSecureEnclave,\n"
    "    kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
    "    kSecAttrKeySizeInBits: 256,\n"
    "    kSecPrivateKeyAttrs: [\n"
    "        kSecAttrAccessControl: SecAccessControlCreateWithFlags(\n"
    "            kCFAllocatorDefault,\n"
    "            kSecAttrAccessibleWhenUnlockedThisDeviceOnly,\n"
    "            [.touchIDAny, .privateKeyUsage],\n"
    "            nil\n"
    "        )!,\n"
    "        kSecAttrIsPermanent: true\n"
    "    ],\n"
    "    kSecAttrApplicationLabel: \"unique label\" // a customer identifier\n"
    "]\n";

static const char seed_query[] =
    "[\n"
    "    kSecClass: kSecClassKey,\n"
    "    kSecAttrKeyType: kSecAttrKeyTypeECSECPrimeRandom,\n"
    "    kSecAttrKeySizeInBits: 256,\n"
    "    kSecReturnRef: true,\n"
    "    kSecUseOperationPrompt: \"Verify your identity\",\n"
    "    kSecAttrApplicationLabel: \"unique label\" // a customer identifier\n"
    "]\n";

#endif /* SEK_SEED_DICTS_H */
