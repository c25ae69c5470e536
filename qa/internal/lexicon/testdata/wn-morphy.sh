#!/bin/sh
# Writes, for each word on standard input (one a line), the lemmas that
# WordNet 3.0's own command-line tool finds for it (wn WORD -over, from
# Debian's wordnet package), as "word: pos lemma, pos lemma". morphy-wn.txt
# was made with
#
#	cut -d: -f1 morphy-wn.txt | sh wn-morphy.sh > new && mv new morphy-wn.txt
#
# from every sixth word without a hyphen of the seed articles and the State
# of the Union corpus that occurs at least twice, most frequent first.
set -eu
while read -r w; do
	printf '%s:' "$w"
	wn "$w" -over | sed -n 's/^Overview of \([a-z]*\) \(.*\)$/ \1 \2,/p' | tr -d '\n' | sed 's/,$//'
	echo
done
