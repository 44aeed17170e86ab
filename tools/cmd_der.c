/*
 * cmd_der.c: `sek der decode|encode|verify`, ECDSA P-256 signatures in strict DER and raw r||s
 * (include/sek/der.h, include/sek/verify.h).  Usage texts below; exit statuses as cli.h says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sek/der.h>
#include <sek/verify.h>

#include "cli.h"

/* Hex read from standard input ("-") may be long; nothing near this is a signature. */
#define HEX_INPUT_MAX (1u << 20)

static const char der_usage[] =
    "usage: sek der decode [--json] HEX|-\n"
    "       sek der encode [--json] RAWHEX|-\n"
    "       sek der verify --pub HEX (--msg HEX | --digest HEX) --sig HEX\n"
    "                      [--hash sha256|sha384|sha512] [--format der|raw] [--json]\n"
    "\n"
    "ECDSA P-256 signatures: strict X9.62 DER (SecKey ...X962 algorithms) and raw r||s\n"
    "(RFC 4754, SecKey ...RFC4754).  'sek der COMMAND --help' describes one command.\n"
    "Hex may have spaces, colons or a 0x prefix, and may be split over several arguments.\n"
    "\n"
    "exit status: 0 decoded / encoded / valid, 1 bad input or invalid signature, 2 usage error\n";

static const char decode_usage[] =
    "usage: sek der decode [--json] HEX|-\n"
    "\n"
    "Parses a strict DER signature  SEQUENCE { INTEGER r, INTEGER s }  and prints r and s as\n"
    "64 hex digits each.  '-' reads the hex from standard input.  A signature that is not the\n"
    "unique DER encoding, or has r or s outside [1, n-1], is refused with the rule it broke and\n"
    "the offset of the byte it is about.  --json prints {\"r\",\"s\",\"der_len\"} or\n"
    "{\"error\",\"status\",\"offset\"}.\n"
    "\n"
    "exit status: 0 decoded, 1 not a valid signature (or bad hex), 2 usage error\n";

static const char encode_usage[] =
    "usage: sek der encode [--json] RAWHEX|-\n"
    "\n"
    "Encodes a raw signature, r then s, 32 bytes each (64 bytes, 128 hex digits), as strict DER\n"
    "and prints it in hex.  r and s must be in [1, n-1].  --json prints {\"der\",\"der_len\"}.\n"
    "\n"
    "exit status: 0 encoded, 1 bad input, 2 usage error\n";

static const char verify_usage[] =
    "usage: sek der verify --pub HEX (--msg HEX | --digest HEX) --sig HEX\n"
    "                      [--hash sha256|sha384|sha512] [--format der|raw] [--json]\n"
    "\n"
    "Verifies an ECDSA P-256 signature with OpenSSL and prints 'valid' or 'invalid: REASON'.\n"
    "  --pub     the public key, X9.63 uncompressed: 04 || X || Y (65 bytes)\n"
    "  --msg     the message, hashed with --hash (SecKey ...MessageX962SHA256 and the like)\n"
    "  --digest  an already hashed input of the hash's length (SecKey ...DigestX962SHA256)\n"
    "  --sig     the signature: strict DER (--format der, the default) or raw r||s (--format raw)\n"
    "  --hash    sha256 (default), sha384 or sha512\n"
    "A malformed DER signature is reported with the rule it broke and its byte offset.  --json\n"
    "prints {\"valid\",\"status\",\"reason\",\"offset\"}.\n"
    "\n"
    "exit status: 0 valid, 1 invalid (or bad input), 2 usage error\n";

/* Parsed hex: bytes in a newly allocated buffer (freed by the caller). */
typedef struct {
  uint8_t *data;
  size_t len;
} hex_bytes;

/*
 * Decodes text as hex into *out.  Returns CLI_OK, or CLI_BAD_INPUT after printing
 * "sek CMD: WHAT: <where the hex went wrong>".
 */
static int read_hex(const char *cmd, const char *what, const char *text, hex_bytes *out) {
  char err[160];
  size_t cap = strlen(text) / 2 + 1;
  out->data = malloc(cap);
  if (out->data == NULL) {
    fprintf(stderr, "sek %s: out of memory\n", cmd);
    return CLI_BAD_INPUT;
  }
  long n = cli_hex_decode(text, out->data, cap, err, sizeof err);
  if (n < 0) {
    fprintf(stderr, "sek %s: %s: %s\n", cmd, what, err);
    free(out->data);
    out->data = NULL;
    return CLI_BAD_INPUT;
  }
  out->len = (size_t)n;
  return CLI_OK;
}

/*
 * The positional argument of decode and encode: "-" (standard input), or hex in one argument
 * or spread over several (`sek der decode 30 06 02 01 01 02 01 01`).  Options are parsed by the
 * caller, which passes the positionals here.
 */
static int read_hex_operand(const char *cmd, int num, char **args, hex_bytes *out) {
  if (num == 1 && strcmp(args[0], "-") == 0) {
    char *text = cli_read_file(cmd, "-", HEX_INPUT_MAX, NULL);
    if (text == NULL)
      return CLI_BAD_INPUT;
    int rc = read_hex(cmd, "standard input", text, out);
    free(text);
    return rc;
  }
  size_t total = 1;
  for (int i = 0; i < num; i++)
    total += strlen(args[i]) + 1;
  char *joined = malloc(total), *p = joined;
  if (joined == NULL) {
    fprintf(stderr, "sek %s: out of memory\n", cmd);
    return CLI_BAD_INPUT;
  }
  for (int i = 0; i < num; i++) {
    size_t n = strlen(args[i]);
    memcpy(p, args[i], n);
    p += n;
    *p++ = ' ';
  }
  *p = '\0';
  int rc = read_hex(cmd, "the hex argument", joined, out);
  free(joined);
  return rc;
}

/*
 * Parses the arguments of decode and encode: --help, --json, and the positionals (options may
 * come anywhere; "--" ends them).  Returns -1 to go on (*operands newly allocated), or the exit
 * status (help printed, usage error).
 */
static int parse_operand_args(const char *cmd, const char *usage, int argc, char **argv, bool *json,
                              int *num, char ***operands) {
  char **pos = calloc((size_t)argc, sizeof *pos);
  if (pos == NULL) {
    fprintf(stderr, "sek %s: out of memory\n", cmd);
    return CLI_BAD_INPUT;
  }
  bool options = true;
  *num = 0;
  *json = false;
  for (int i = 1; i < argc; i++) {
    if (options && cli_is_help(argv[i])) {
      free(pos);
      fputs(usage, stdout);
      return CLI_OK;
    } else if (options && strcmp(argv[i], "--json") == 0) {
      *json = true;
    } else if (options && strcmp(argv[i], "--") == 0) {
      options = false;
    } else if (options && argv[i][0] == '-' && argv[i][1] != '\0') {
      free(pos);
      return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
    } else {
      pos[(*num)++] = argv[i];
    }
  }
  if (*num == 0) {
    free(pos);
    return cli_usage_error(cmd, "needs the signature in hex (or - for standard input)");
  }
  *operands = pos;
  return -1;
}

/*
 * The shared front of decode and encode: the arguments, then the hex they give.  Returns -1 with
 * *out filled (free out->data), or the exit status to return.
 */
static int operand_bytes(const char *cmd, const char *usage, int argc, char **argv, bool *json,
                         hex_bytes *out) {
  int num = 0;
  char **operands = NULL;
  int rc = parse_operand_args(cmd, usage, argc, argv, json, &num, &operands);
  if (rc >= 0)
    return rc;
  rc = read_hex_operand(cmd, num, operands, out);
  free(operands);
  return rc == CLI_OK ? -1 : rc;
}

static int decode_cmd(int argc, char **argv) {
  const char *cmd = "der decode";
  bool json;
  hex_bytes der;
  int rc = operand_bytes(cmd, decode_usage, argc, argv, &json, &der);
  if (rc >= 0)
    return rc;
  uint8_t raw[SEK_DER_RAW_LEN];
  size_t off;
  int st = sek_der_sig_to_raw_at(der.data, der.len, raw, &off);
  free(der.data);
  if (st != SEK_OK) {
    if (json) {
      printf("{\"error\":");
      cli_json_string(stdout, sek_der_strerror(st));
      printf(",\"status\":%d,\"offset\":%zu}\n", st, off);
    } else {
      fprintf(stderr, "sek %s: not a valid signature: at byte %zu: %s\n", cmd, off,
              sek_der_strerror(st));
    }
    return CLI_BAD_INPUT;
  }
  if (json) {
    printf("{\"r\":\"");
    cli_hex_print(stdout, raw, 32);
    printf("\",\"s\":\"");
    cli_hex_print(stdout, raw + 32, 32);
    printf("\",\"der_len\":%zu}\n", der.len);
  } else {
    printf("r: ");
    cli_hex_print(stdout, raw, 32);
    printf("\ns: ");
    cli_hex_print(stdout, raw + 32, 32);
    printf("\n");
  }
  return CLI_OK;
}

static int encode_cmd(int argc, char **argv) {
  const char *cmd = "der encode";
  bool json;
  hex_bytes raw;
  int rc = operand_bytes(cmd, encode_usage, argc, argv, &json, &raw);
  if (rc >= 0)
    return rc;
  if (raw.len != SEK_DER_RAW_LEN) {
    fprintf(stderr, "sek %s: a raw signature is 64 bytes (r then s, 32 each), not %zu\n", cmd,
            raw.len);
    free(raw.data);
    return CLI_BAD_INPUT;
  }
  uint8_t der[SEK_DER_SIG_MAX_LEN];
  size_t der_len;
  int st = sek_der_sig_from_raw(raw.data, der, sizeof der, &der_len);
  free(raw.data);
  if (st != SEK_OK) {
    fprintf(stderr, "sek %s: cannot encode: %s\n", cmd, sek_der_strerror(st));
    return CLI_BAD_INPUT;
  }
  if (json) {
    printf("{\"der\":\"");
    cli_hex_print(stdout, der, der_len);
    printf("\",\"der_len\":%zu}\n", der_len);
  } else {
    cli_hex_print(stdout, der, der_len);
    printf("\n");
  }
  return CLI_OK;
}

/* The options of verify that take a value, in the order the usage lists them. */
enum { OPT_PUB, OPT_MSG, OPT_DIGEST, OPT_SIG, OPT_HASH, OPT_FORMAT, NUM_OPTS };
static const char *const verify_opts[NUM_OPTS] = {"--pub", "--msg",  "--digest",
                                                  "--sig", "--hash", "--format"};

/* Prints the verdict of verify as text or JSON; returns the exit status. */
static int print_verdict(bool json, int st, const hex_bytes *sig, sek_sig_format format) {
  char reason[256];
  bool has_offset = false;
  size_t off = 0;
  if (st == SEK_OK) {
    puts(json ? "{\"valid\":true}" : "valid");
    return CLI_OK;
  }
  if (st <= SEK_DER_ERR_EMPTY && st >= SEK_DER_ERR_BUFFER && format == SEK_SIG_DER) {
    uint8_t raw[SEK_DER_RAW_LEN];
    sek_der_sig_to_raw_at(sig->data, sig->len, raw, &off); /* the same status, with where */
    has_offset = true;
    snprintf(reason, sizeof reason, "malformed DER signature at byte %zu: %s", off,
             sek_strerror(st));
  } else if (st == SEK_VERIFY_ERR_RAW_LEN) {
    snprintf(reason, sizeof reason, "%s: got %zu", sek_strerror(st), sig->len);
  } else if (st <= SEK_VERIFY_ERR_PUB_LEN && st >= SEK_VERIFY_ERR_PUB_NOT_ON_CURVE) {
    snprintf(reason, sizeof reason, "bad public key: %s", sek_strerror(st));
  } else {
    snprintf(reason, sizeof reason, "%s", sek_strerror(st));
  }
  if (json) {
    printf("{\"valid\":false,\"status\":%d,\"reason\":", st);
    cli_json_string(stdout, reason);
    if (has_offset)
      printf(",\"offset\":%zu", off);
    printf("}\n");
  } else {
    printf("invalid: %s\n", reason);
  }
  return CLI_BAD_INPUT;
}

static int verify_cmd(int argc, char **argv) {
  const char *cmd = "der verify";
  const char *val[NUM_OPTS] = {NULL};
  bool json = false;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(verify_usage, stdout);
      return CLI_OK;
    }
    if (strcmp(argv[i], "--json") == 0) {
      json = true;
      continue;
    }
    int o = 0;
    size_t n = 0;
    for (; o < NUM_OPTS; o++) {
      n = strlen(verify_opts[o]);
      if (strncmp(argv[i], verify_opts[o], n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '='))
        break;
    }
    if (o == NUM_OPTS)
      return cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
    if (val[o] != NULL)
      return cli_usage_error(cmd, "%s given twice", verify_opts[o]);
    if (argv[i][n] == '=')
      val[o] = argv[i] + n + 1;
    else if (i + 1 < argc)
      val[o] = argv[++i];
    else
      return cli_usage_error(cmd, "%s needs a value", verify_opts[o]);
  }
  if (val[OPT_PUB] == NULL || val[OPT_SIG] == NULL)
    return cli_usage_error(cmd, "needs --pub and --sig");
  if ((val[OPT_MSG] == NULL) == (val[OPT_DIGEST] == NULL))
    return cli_usage_error(cmd, "needs exactly one of --msg and --digest");
  sek_verify_hash hash = SEK_VERIFY_HASH_SHA256;
  if (val[OPT_HASH] != NULL && sek_verify_hash_from_name(val[OPT_HASH], &hash) != SEK_OK)
    return cli_usage_error(cmd, "unsupported --hash '%s' (sha256, sha384 or sha512)",
                           val[OPT_HASH]);
  sek_sig_format format = SEK_SIG_DER;
  if (val[OPT_FORMAT] != NULL) {
    if (strcmp(val[OPT_FORMAT], "raw") == 0)
      format = SEK_SIG_RAW;
    else if (strcmp(val[OPT_FORMAT], "der") != 0)
      return cli_usage_error(cmd, "--format is der or raw, not '%s'", val[OPT_FORMAT]);
  }
  const int in = val[OPT_MSG] != NULL ? OPT_MSG : OPT_DIGEST;
  hex_bytes pub = {NULL, 0}, input = {NULL, 0}, sig = {NULL, 0};
  int rc = read_hex(cmd, "--pub", val[OPT_PUB], &pub);
  if (rc == CLI_OK)
    rc = read_hex(cmd, verify_opts[in], val[in], &input);
  if (rc == CLI_OK)
    rc = read_hex(cmd, "--sig", val[OPT_SIG], &sig);
  if (rc == CLI_OK) {
    int st = in == OPT_MSG ? sek_verify_msg(hash, pub.data, pub.len, input.data, input.len,
                                            sig.data, sig.len, format)
                           : sek_verify_digest(hash, pub.data, pub.len, input.data, input.len,
                                               sig.data, sig.len, format);
    rc = print_verdict(json, st, &sig, format);
  }
  free(pub.data);
  free(input.data);
  free(sig.data);
  return rc;
}

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
} subcommands[] = {
    {"decode", decode_cmd},
    {"encode", encode_cmd},
    {"verify", verify_cmd},
};

int cmd_der(int argc, char **argv) {
  if (argc < 2)
    return cli_usage_error("der", "needs a command: decode, encode or verify");
  if (cli_is_help(argv[1])) {
    fputs(der_usage, stdout);
    return CLI_OK;
  }
  for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
    if (strcmp(argv[1], subcommands[i].name) == 0)
      return subcommands[i].run(argc - 1, argv + 1);
  return cli_usage_error("der", "unknown command '%s' (decode, encode or verify)", argv[1]);
}
