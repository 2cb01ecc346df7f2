#!/usr/bin/env python3
"""Writes xdpchain's man pages and bash completion from `xdpchain describe-cli`, the JSON
form of the command line `--help` prints, so neither can drift from the code.

usage: gen_cli_docs.py DESCRIBE_JSON VERSION OUT_DIR
  OUT_DIR/man/xdpchain.8, OUT_DIR/man/xdpchain-VERB.8 (one per verb),
  OUT_DIR/completion/xdpchain (bash; `complete -F _xdpchain xdpchain`)
"""
import json
import os
import re
import sys


def roff(text):
    """Escapes text for roff: backslashes, hyphens, and lines starting with . or '."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line[:1] in (".", "'") else line
                     for line in text.split("\n"))


def option_heading(option):
    names = ", ".join("\\fB" + roff(n) + "\\fR" for n in option["names"])
    if option["takes_value"]:
        names += " \\fI" + roff(option["type"] or "VALUE") + "\\fR"
    return names


def option_text(option):
    text = option["description"]
    notes = []
    if option.get("required"):
        notes.append("required")
    if option.get("default"):
        notes.append("default: " + option["default"])
    if notes:
        text += " (" + "; ".join(notes) + ")"
    return roff(text)


def footer_sections(footer):
    """Splits a --help footer into (heading, lines) blocks: an unindented line ending in
    ':' starts a block ('examples:', 'exit codes:'); other text is a block of its own."""
    blocks = []
    heading, lines = None, []
    for line in footer.strip("\n").split("\n"):
        if re.fullmatch(r"[a-z][a-z ]*:", line):
            if lines:
                blocks.append((heading, lines))
            heading, lines = line[:-1], []
        elif line.strip() or lines:
            lines.append(line)
    if lines:
        blocks.append((heading, lines))
    return blocks


def render_footer(footer):
    out = []
    for heading, lines in footer_sections(footer):
        while lines and not lines[-1].strip():
            lines.pop()
        out.append(".SH " + (heading.upper() if heading else "NOTES"))
        if heading:  # examples and tables keep their layout
            out += [".nf", roff("\n".join(lines)), ".fi"]
        else:
            out.append(roff("\n".join(lines)))
    return out


def page_header(name, version, description):
    return [
        '.TH "%s" 8 "" "xdpchain %s" "xdpchain manual"' % (name.upper(), version),
        ".SH NAME",
        "%s \\- %s" % (roff(name), roff(description)),
    ]


def synopsis(verb):
    words = ["[\\fIOPTIONS\\fR]"]
    for p in verb["positionals"]:
        word = "\\fI" + roff(p["name"]) + "\\fR"
        words.append(word if p["required"] else "[" + word + "]")
    return [".SH SYNOPSIS", ".B xdpchain " + roff(verb["name"]), " ".join(words)]


def options_section(title, options):
    out = [".SH " + title] if options else []
    for option in options:
        out += [".TP", option_heading(option), option_text(option)]
    return out


def verb_page(cli, verb, version):
    name = "xdpchain-" + verb["name"]
    out = page_header(name, version, verb["description"])
    out += synopsis(verb)
    if verb["positionals"]:
        out.append(".SH ARGUMENTS")
        for p in verb["positionals"]:
            out += [".TP", "\\fI" + roff(p["name"]) + "\\fR",
                    roff(p["description"]) + (" (required)" if p["required"] else "")]
    out += options_section("OPTIONS", verb["options"])
    out += options_section("GLOBAL OPTIONS", global_options(cli))
    out += render_footer(verb["footer"])
    out += [".SH SEE ALSO", "\\fBxdpchain\\fR(8)"]
    return "\n".join(out) + "\n"


def global_options(cli):
    return [o for o in cli["options"] if "--help" not in o["names"]]


def main_page(cli, version):
    out = page_header("xdpchain", version, cli["description"])
    out += [".SH SYNOPSIS", ".B xdpchain",
            "[\\fIGLOBAL OPTIONS\\fR] \\fIVERB\\fR [\\fIARGUMENTS\\fR]"]
    out += [".SH VERBS"]
    for verb in cli["verbs"]:
        out += [".TP", "\\fBxdpchain\\-%s\\fR(8)" % roff(verb["name"]),
                roff(verb["description"])]
    out += options_section("GLOBAL OPTIONS", cli["options"])
    out += render_footer(cli["footer"])
    out += [".SH SEE ALSO", ", ".join("\\fBxdpchain\\-%s\\fR(8)" % roff(v["name"])
                                       for v in cli["verbs"])]
    return "\n".join(out) + "\n"


def choices(option):
    """The values an option's type lists: 'ENUM:value in {auto->0,fused->3} OR {0,3}' or
    'TEXT:{obj,asm}' give auto fused / obj asm."""
    found = re.search(r"\{([^}]*)\}", option["type"])
    if not found:
        return []
    return [item.split("->")[0] for item in found.group(1).split(",") if item]


def value_kind(option):
    """How to complete an option's value: a word list, files, directories, namespaces."""
    if "--netns" in option["names"]:
        return "netns"
    if choices(option):
        return "words:" + " ".join(choices(option))
    description = option["description"].lower()
    if "directory" in description:
        return "dirs"
    if "file" in description or "manifest" in description:
        return "files"
    return "none"


def positional_kind(positional):
    name = positional["name"]
    if name == "interface":
        return "interfaces"
    if name == "verb":
        return "verbs"
    if name in ("object", "file", "source", "path"):
        return "files"
    return "none"


def completion(cli):
    verbs = [v["name"] for v in cli["verbs"]]
    lines = [
        "# bash completion for xdpchain, generated from `xdpchain describe-cli` by",
        "# packaging/gen_cli_docs.py: verbs, each verb's options, option values, and",
        "# interface names where a verb takes an interface.",
        "_xdpchain_values() { # KIND CUR",
        '  case "$1" in',
        '  interfaces) COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$2")) ;;',
        '  netns) COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | cut -d" " -f1)" -- "$2")) ;;',
        '  files) COMPREPLY=($(compgen -f -- "$2")); compopt -o filenames 2>/dev/null ;;',
        '  dirs) COMPREPLY=($(compgen -d -- "$2")); compopt -o filenames 2>/dev/null ;;',
        '  verbs) COMPREPLY=($(compgen -W "%s" -- "$2")) ;;' % " ".join(verbs),
        '  words:*) COMPREPLY=($(compgen -W "${1#words:}" -- "$2")) ;;',
        "  *) COMPREPLY=() ;;",
        "  esac",
        "}",
        "",
        "# The kind of value option $2 of verb $1 takes ('' for a flag, 'unknown' if no option).",
        "_xdpchain_option_kind() {",
        '  case "$1 $2" in',
    ]
    def option_cases(verb_pattern, options):
        for option in options:
            kind = value_kind(option) if option["takes_value"] else ""
            for name in option["names"]:
                lines.append('  %s" "%s) echo "%s" ;;' % (verb_pattern, name, kind))
    # Global options are accepted before or after the verb.
    option_cases("*", cli["options"])
    for verb in cli["verbs"]:
        option_cases(verb["name"], verb["options"])
    lines += ['  *) echo unknown ;;', "  esac", "}", ""]
    lines += ["_xdpchain() {",
              "  local cur=${COMP_WORDS[COMP_CWORD]} verb='' kind='' i=1 args=0",
              "  # Walk the words before the cursor: the verb, option values, positionals.",
              "  while [ $i -lt $COMP_CWORD ]; do",
              '    local word=${COMP_WORDS[i]}',
              '    if [[ $word == -* ]]; then',
              '      kind=$(_xdpchain_option_kind "$verb" "${word%%=*}")',
              '      if [ -n "$kind" ] && [ "$kind" != unknown ] && [[ $word != *=* ]]; then',
              "        i=$((i + 1))",
              "        if [ $i -eq $COMP_CWORD ]; then",
              '          _xdpchain_values "$kind" "$cur"',
              "          return",
              "        fi",
              "      fi",
              '    elif [ -z "$verb" ]; then',
              "      verb=$word",
              "    else",
              "      args=$((args + 1))",
              "    fi",
              "    i=$((i + 1))",
              "  done",
              '  if [ -z "$verb" ]; then',
              '    if [[ $cur == -* ]]; then',
              '      COMPREPLY=($(compgen -W "%s" -- "$cur"))' % " ".join(
                  n for o in cli["options"] for n in o["names"]),
              "    else",
              '      COMPREPLY=($(compgen -W "%s" -- "$cur"))' % " ".join(verbs),
              "    fi",
              "    return",
              "  fi",
              '  case "$verb" in']
    global_names = [n for o in global_options(cli) for n in o["names"]]
    for verb in cli["verbs"]:
        names = [n for o in verb["options"] for n in o["names"]] + global_names
        lines.append("  %s)" % verb["name"])
        lines.append('    if [[ $cur == -* ]]; then')
        lines.append('      COMPREPLY=($(compgen -W "%s" -- "$cur"))' % " ".join(names))
        lines.append("      return")
        lines.append("    fi")
        lines.append('    case "$args" in')
        for index, positional in enumerate(verb["positionals"]):
            lines.append('    %d) _xdpchain_values %s "$cur" ;;' % (index, positional_kind(positional)))
        lines.append("    *) COMPREPLY=() ;;")
        lines.append("    esac")
        lines.append("    ;;")
    lines += ["  *) COMPREPLY=() ;;", "  esac", "}",
              "complete -F _xdpchain xdpchain", ""]
    return "\n".join(lines)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        cli = json.load(f)
    version, out_dir = sys.argv[2], sys.argv[3]
    os.makedirs(os.path.join(out_dir, "man"), exist_ok=True)
    os.makedirs(os.path.join(out_dir, "completion"), exist_ok=True)
    pages = {"xdpchain.8": main_page(cli, version)}
    for verb in cli["verbs"]:
        pages["xdpchain-%s.8" % verb["name"]] = verb_page(cli, verb, version)
    for old in os.listdir(os.path.join(out_dir, "man")):  # a verb that went away
        if old not in pages:
            os.remove(os.path.join(out_dir, "man", old))
    for name, text in pages.items():
        with open(os.path.join(out_dir, "man", name), "w") as f:
            f.write(text)
    with open(os.path.join(out_dir, "completion", "xdpchain"), "w") as f:
        f.write(completion(cli))


if __name__ == "__main__":
    main()
