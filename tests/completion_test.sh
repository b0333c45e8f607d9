#!/usr/bin/env bash
# Shell completion as each shell runs it: the scripts `mosaic-fleet completion SHELL` prints
# are loaded into bash, zsh and fish (each one installed; CI installs all three) and asked
# for candidates: commands, aliases, options, fixed values, files and the roster's agents.
# Usage: tests/completion_test.sh BINARY FIXTURES_DIR
set -uo pipefail
binary=$1
fixtures=$2
roster=$fixtures/profiles/software-factory.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect SHELL LINE WANT...: completing LINE offers every WANT (order aside).
expect() {
  local shell=$1 line=$2 got
  shift 2
  got=$(complete_in "$shell" "$line" | sort -u | tr '\n' ' ')
  for want in "$@"; do
    if [[ " $got" != *" $want "* ]]; then
      echo "FAIL $shell: '$line' should offer '$want'; offered: $got" >&2
      failures=$((failures + 1))
    fi
  done
}

# refuse SHELL LINE UNWANTED...: completing LINE offers none of UNWANTED.
refuse() {
  local shell=$1 line=$2 got
  shift 2
  got=$(complete_in "$shell" "$line" | sort -u | tr '\n' ' ')
  for unwanted in "$@"; do
    if [[ " $got" == *" $unwanted "* ]]; then
      echo "FAIL $shell: '$line' should not offer '$unwanted'; offered: $got" >&2
      failures=$((failures + 1))
    fi
  done
}

"$binary" completion bash >"$work/bash" && "$binary" completion zsh >"$work/_mosaic-fleet" &&
  "$binary" completion fish >"$work/fish" || { echo "FAIL: completion scripts" >&2; exit 1; }

# The candidates one shell offers for LINE (the cursor at its end), one per line; bash and zsh
# filter by the word being completed as their own matchers do.
complete_in() {
  local shell=$1 line=$2
  case $shell in
    bash)
      # Words as readline gives them: split at unquoted blanks, quotes and backslashes kept.
      bash -c 'source "$1"; line=$2; COMP_WORDS=(); word=""; quote=""
               for ((i = 0; i < ${#line}; i++)); do
                 c=${line:i:1}
                 if [[ -z $quote && $c == " " ]]; then COMP_WORDS+=("$word"); word=""; continue; fi
                 if [[ -z $quote && $c == \\ ]]; then word+=$c${line:i+1:1}; ((i++)); continue; fi
                 if [[ $c == "\"" || $c == "'"'"'" ]]; then
                   if [[ -z $quote ]]; then quote=$c; elif [[ $quote == "$c" ]]; then quote=""; fi
                 fi
                 word+=$c
               done
               COMP_WORDS+=("$word")
               COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _mosaic_fleet; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$work/bash" "$line" ;;
    zsh)
      # compadd is zsh's completion builtin; outside a widget a stand-in prints what it is given.
      zsh -fc 'compadd() { local -a got; local array=""
                 while (( $# )); do case $1 in -a) array=$2; shift;; -d) shift;; --) shift; break;;
                   -*) ;; *) got+=$1;; esac; shift; done
                 [[ -n $array ]] && got+=("${(P@)array}"); got+=("$@"); print -rl -- $got }
               _files() { print -r -- "(files)" }
               compdef() { :; }
               source "$1"; words=(${(z)2}); [[ $2 == *" " ]] && words+=("")
               CURRENT=${#words}; _mosaic_fleet' _ "$work/_mosaic-fleet" "$line" |
        awk -v cur="${line##* }" 'index($0, cur) == 1' ;;
    fish)
      fish -c 'source $argv[1]; complete -C $argv[2]' "$work/fish" "$line" | cut -f1 ;;
  esac
}

shells=()
for shell in bash zsh fish; do
  if command -v "$shell" >/dev/null; then shells+=("$shell"); else echo "skipped: no $shell"; fi
done
for shell in "${shells[@]}"; do
  expect "$shell" "$binary ag" agent
  expect "$shell" "$binary agent s" send status
  refuse "$shell" "$binary agent s" reset tail
  expect "$shell" "$binary p" plan ps
  expect "$shell" "$binary validate --format " text json github
  expect "$shell" "$binary init --profile " minimal software-factory
  expect "$shell" "$binary plan --ta" --target
  expect "$shell" "$binary ps --j" --json
  expect "$shell" "$binary agent send --roster $roster " coder0 rev1 ultron
  expect "$shell" "$binary stop --roster $roster rev" rev0 rev1
  refuse "$shell" "$binary stop --roster $roster rev" coder0
  expect "$shell" "$binary plan --roster $roster --target co" coder0 coder3
  expect "$shell" "$binary completion " bash zsh fish
  refuse "$shell" "$binary " install install-systemd
done
# A roster path as typed: quoted, or with an escaped space; `--roster=PATH`.
mkdir -p "$work/with space"
cp "$roster" "$work/with space/roster.yaml"
for shell in bash zsh; do
  command -v "$shell" >/dev/null || continue
  expect "$shell" "$binary stop --roster '$work/with space/roster.yaml' rev" rev0 rev1
  expect "$shell" "$binary stop --roster \"$work/with space/roster.yaml\" rev" rev0 rev1
done
expect bash "$binary stop --roster ${work}/with\\ space/roster.yaml rev" rev0 rev1
command -v fish >/dev/null && expect fish "$binary stop --roster=$roster rev" rev0 rev1
# A verb that takes one NAME is not offered a second; one that takes many is.
for shell in "${shells[@]}"; do
  refuse "$shell" "$binary agent send --roster $roster rev0 " rev1 coder0
  expect "$shell" "$binary stop --roster $roster rev0 " rev1 coder0
done
# Files: bash and fish list them; zsh hands over to its own _files.
touch "$work/roster-a.yaml"
expect bash "$binary validate $work/roster-" "$work/roster-a.yaml"
command -v fish >/dev/null && expect fish "$binary validate $work/roster-" "$work/roster-a.yaml"
command -v zsh >/dev/null && expect zsh "$binary plan --roster " "(files)"
# bash splits --option=value at '='.
expect bash "$binary validate --format = j" json

if ((failures)); then echo "$failures completion checks failed" >&2; exit 1; fi
echo "completion works in: ${shells[*]}"
