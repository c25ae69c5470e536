// Command gen builds the lexicon's embedded WordNet table from Princeton
// WordNet 3.0 as Debian's wordnet-base package installs it.
//
// Usage (from qa/internal/lexicon, as go generate runs it):
//
//	go run ./gen -dict /usr/share/wordnet -out wordnet.bin \
//		-copyright /usr/share/doc/wordnet-base/copyright -license LICENSE.wordnet
//
// It keeps what retrieval needs: single-word lemmas (hyphenated ones
// included) and two-word verb collocations ("kick_out", "take_over"; other
// collocations with "_" left out), each lemma's senses in
// WordNet's sense order with their tagged counts from cntlist.rev, the
// single-word members of each synset (so a collocation has synonyms but is
// no one's synonym), the derivational ("+") and pertainym
// ("\") pointers between words, and the exception lists. The output is
// deterministic: the same dictionary gives the same bytes.
//
// The format (integers are unsigned varints) is described beside the
// reader, in ../load.go; encode below is its only writer.
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// magic starts the output; the reader checks it. Keep in step with
// lexicon.fileMagic.
const magic = "storybot-wordnet-3.0 v1\n"

// posNames are the four parts of speech in the order the file uses
// (index 0..3); satellite adjectives ("s") count as adjectives.
var posNames = [4]string{"noun", "verb", "adj", "adv"}

func posIndex(c byte) (int, bool) {
	switch c {
	case 'n':
		return 0, true
	case 'v':
		return 1, true
	case 'a', 's':
		return 2, true
	case 'r':
		return 3, true
	}
	return 0, false
}

func main() {
	dict := flag.String("dict", "/usr/share/wordnet", "WordNet 3.0 database directory (WNSEARCHDIR)")
	out := flag.String("out", "wordnet.bin", "table to write")
	copyright := flag.String("copyright", "/usr/share/doc/wordnet-base/copyright", "WordNet licence notice to ship beside the table")
	license := flag.String("license", "LICENSE.wordnet", "where to copy the licence notice")
	verbose := flag.Bool("v", false, "print counts")
	flag.Parse()
	if err := run(*dict, *out, *copyright, *license, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		fmt.Fprintln(os.Stderr, "gen: it reads WordNet 3.0 as Debian's wordnet-base installs it (apt-get install -y wordnet-base)")
		os.Exit(1)
	}
}

func run(dict, out, copyright, license string, verbose bool) error {
	wn, err := read(dict)
	if err != nil {
		return err
	}
	data, stats := wn.encode()
	if err := writeFile(out, data); err != nil {
		return err
	}
	notice, err := os.ReadFile(copyright)
	if err != nil {
		return fmt.Errorf("read licence notice: %w", err)
	}
	head := "The table wordnet.bin in this directory is derived from Princeton WordNet 3.0,\n" +
		"as packaged by Debian (wordnet-base). Its licence, copied verbatim from\n" +
		"the package's copyright file, follows.\n\n"
	if err := writeFile(license, append([]byte(head), notice...)); err != nil {
		return err
	}
	if verbose {
		fmt.Fprintln(os.Stderr, stats)
	}
	return nil
}

func writeFile(name string, data []byte) error {
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// synKey names a synset: its data file (part of speech) and byte offset.
type synKey struct {
	pos int
	off int
}

// wordRef is one word of one synset (w counts from 0).
type wordRef struct {
	syn synKey
	w   int
}

type synset struct {
	words []string // lowercased, adjective markers stripped, "_" kept
	ptrs  []pointer
}

type pointer struct {
	src, dst int // word numbers from 0
	to       synKey
}

type sense struct {
	syn   synKey
	count int
}

// wordnet is what gen reads of the dictionary.
type wordnet struct {
	senses  map[string][4][]sense // single-word lemma -> senses per POS in sense order
	synsets map[synKey]*synset
	exc     map[string][4][]string // single-word inflected form -> base forms per POS
}

func read(dict string) (*wordnet, error) {
	wn := &wordnet{
		senses:  map[string][4][]sense{},
		synsets: map[synKey]*synset{},
		exc:     map[string][4][]string{},
	}
	counts, err := readCounts(filepath.Join(dict, "cntlist.rev"))
	if err != nil {
		return nil, err
	}
	for p, name := range posNames {
		if err := wn.readIndex(filepath.Join(dict, "index."+name), p, counts); err != nil {
			return nil, err
		}
		if err := wn.readData(filepath.Join(dict, "data."+name), p); err != nil {
			return nil, err
		}
		if err := wn.readExc(filepath.Join(dict, name+".exc"), p); err != nil {
			return nil, err
		}
	}
	return wn, nil
}

// countKey is a sense by lemma, part of speech and sense number.
type countKey struct {
	lemma string
	pos   int
	num   int
}

// readCounts reads cntlist.rev ("sense_key sense_number tag_cnt"). The file
// is optional: without it every count is 0 and only the sense order remains.
func readCounts(name string) (map[countKey]int, error) {
	counts := map[countKey]int{}
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return counts, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sense counts: %w", err)
	}
	defer f.Close()
	err = eachLine(f, func(line string) error {
		fs := strings.Fields(line)
		if len(fs) != 3 {
			return fmt.Errorf("want 3 fields, have %d", len(fs))
		}
		lemma, rest, ok := strings.Cut(fs[0], "%")
		if !ok || rest == "" {
			return fmt.Errorf("bad sense key %q", fs[0])
		}
		// ss_type: 1 noun, 2 verb, 3 adjective, 4 adverb, 5 satellite.
		p := strings.IndexByte("12345", rest[0])
		if p < 0 {
			return fmt.Errorf("bad sense key %q", fs[0])
		}
		if p == 4 {
			p = 2
		}
		num, err1 := strconv.Atoi(fs[1])
		cnt, err2 := strconv.Atoi(fs[2])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("bad numbers in %q", line)
		}
		counts[countKey{lemma, p, num}] += cnt
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return counts, nil
}

// readIndex reads index.POS: "lemma pos synset_cnt p_cnt [ptr_symbol...]
// sense_cnt tagsense_cnt synset_offset...", the offsets in sense order.
func (wn *wordnet) readIndex(name string, p int, counts map[countKey]int) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("read index: %w", err)
	}
	defer f.Close()
	err = eachLine(f, func(line string) error {
		if strings.HasPrefix(line, " ") {
			return nil // licence header
		}
		fs := strings.Fields(line)
		if len(fs) < 6 {
			return fmt.Errorf("short line %q", line)
		}
		lemma := fs[0]
		nsyn, err1 := strconv.Atoi(fs[2])
		nptr, err2 := strconv.Atoi(fs[3])
		if err1 != nil || err2 != nil || len(fs) != 4+nptr+2+nsyn {
			return fmt.Errorf("bad line %q", line)
		}
		if strings.Contains(lemma, "_") && !phrasalVerb(lemma, p) {
			return nil
		}
		all := wn.senses[lemma]
		for i, o := range fs[4+nptr+2:] {
			off, err := strconv.Atoi(o)
			if err != nil {
				return fmt.Errorf("bad offset in %q", line)
			}
			all[p] = append(all[p], sense{synKey{p, off}, counts[countKey{lemma, p, i + 1}]})
		}
		wn.senses[lemma] = all
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// phrasalVerb reports whether lemma, of part of speech p, is a verb of two
// words ("kick_out"): what people write where the articles use one word
// ("oust").
func phrasalVerb(lemma string, p int) bool { return p == 1 && strings.Count(lemma, "_") == 1 }

// readData reads data.POS: "offset lex_filenum ss_type w_cnt [word lex_id]...
// p_cnt [ptr_symbol offset pos source/target]... [frames] | gloss".
func (wn *wordnet) readData(name string, p int) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("read data: %w", err)
	}
	defer f.Close()
	err = eachLine(f, func(line string) error {
		if strings.HasPrefix(line, " ") {
			return nil
		}
		head, _, _ := strings.Cut(line, " | ")
		fs := strings.Fields(head)
		if len(fs) < 5 {
			return fmt.Errorf("short line %q", line)
		}
		off, err := strconv.Atoi(fs[0])
		if err != nil {
			return fmt.Errorf("bad offset in %q", line)
		}
		nw, err := strconv.ParseUint(fs[3], 16, 8)
		if err != nil || len(fs) < 4+2*int(nw)+1 {
			return fmt.Errorf("bad word count in %q", line)
		}
		s := &synset{}
		for i := range int(nw) {
			w := strings.ToLower(fs[4+2*i])
			if j := strings.IndexByte(w, '('); j > 0 && p == 2 {
				w = w[:j] // adjective marker: (a), (p), (ip)
			}
			s.words = append(s.words, w)
		}
		i := 4 + 2*int(nw)
		np, err := strconv.Atoi(fs[i])
		if err != nil || len(fs) < i+1+4*np {
			return fmt.Errorf("bad pointer count in %q", line)
		}
		for k := range np {
			sym, to, tpos, st := fs[i+1+4*k], fs[i+2+4*k], fs[i+3+4*k], fs[i+4+4*k]
			if sym != "+" && sym != `\` {
				continue
			}
			if len(st) != 4 {
				return fmt.Errorf("bad pointer in %q", line)
			}
			toff, err1 := strconv.Atoi(to)
			tp, ok := posIndex(tpos[0])
			src, err2 := strconv.ParseUint(st[:2], 16, 8)
			dst, err3 := strconv.ParseUint(st[2:], 16, 8)
			if err1 != nil || !ok || err2 != nil || err3 != nil {
				return fmt.Errorf("bad pointer in %q", line)
			}
			if src == 0 || dst == 0 {
				continue // a pointer between synsets, not words
			}
			s.ptrs = append(s.ptrs, pointer{int(src) - 1, int(dst) - 1, synKey{tp, toff}})
		}
		wn.synsets[synKey{p, off}] = s
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// readExc reads POS.exc: "inflected base...".
func (wn *wordnet) readExc(name string, p int) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("read exceptions: %w", err)
	}
	defer f.Close()
	err = eachLine(f, func(line string) error {
		fs := strings.Fields(line)
		if len(fs) < 2 {
			return fmt.Errorf("short line %q", line)
		}
		if strings.Contains(fs[0], "_") {
			return nil
		}
		e := wn.exc[fs[0]]
		for _, b := range fs[1:] {
			if !slices.Contains(e[p], b) {
				e[p] = append(e[p], b)
			}
		}
		wn.exc[fs[0]] = e
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

func eachLine(r io.Reader, fn func(string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		if err := fn(sc.Text()); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

// variant reports whether a and b, members of one synset, are spellings of
// one word: both at least 5 letters, the same first two, and one edit
// apart after that (a letter changed, added, dropped, or two neighbours
// swapped): criticize/criticise, color/colour, theater/theatre. WordNet 3.0
// attaches some derivations to only one spelling (criticism to criticise,
// critic to criticize). The first two letters keep synonyms such as
// glide/slide and evaluation/valuation apart.
func variant(a, b string) bool {
	if len(a) < 5 || len(b) < 5 || a == b {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i < 2 {
		return false
	}
	switch {
	case len(a) == len(b):
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case len(a)+1 == len(b):
		return a[i:] == b[i+1:]
	}
	return false
}

// encode writes the table. Entries are the single-word lemmas and the
// single-word inflected forms of the exception lists, sorted.
func (wn *wordnet) encode() ([]byte, string) {
	// Exceptions: keep the bases that are lemmas of that part of speech,
	// so that every form the reader returns has senses. A form on the
	// list keeps morphy's rules off it even when none of its bases is
	// kept: adj.exc lists "customer customer" so that customer is not
	// custom. Such a form, and one whose first base is the form itself
	// (morph.c reads no further: "feed feed fee" does not make feed fee),
	// keeps just itself, which the reader returns only if it is a lemma
	// of that part of speech anyway.
	exc := map[string][4][]string{}
	for form, per := range wn.exc {
		var keep [4][]string
		for p, bases := range per {
			if len(bases) == 0 {
				continue
			}
			if bases[0] != form {
				for _, b := range bases {
					if len(wn.senses[b][p]) > 0 {
						keep[p] = append(keep[p], b)
					}
				}
			}
			if len(keep[p]) == 0 {
				keep[p] = []string{form}
			}
		}
		exc[form] = keep
	}
	words := make([]string, 0, len(wn.senses)+len(exc))
	for w := range wn.senses {
		words = append(words, w)
	}
	for w := range exc {
		if _, ok := wn.senses[w]; !ok {
			words = append(words, w)
		}
	}
	sort.Strings(words)
	id := make(map[string]int, len(words))
	for i, w := range words {
		id[w] = i
	}

	// Synsets, numbered in the order entries first name them.
	synID := map[synKey]int{}
	var synOrder []synKey
	for _, w := range words {
		for _, ss := range wn.senses[w] {
			for _, s := range ss {
				if _, ok := synID[s.syn]; !ok {
					synID[s.syn] = len(synOrder)
					synOrder = append(synOrder, s.syn)
				}
			}
		}
	}

	// Derivation and pertainym links between words, made symmetric.
	links := map[wordRef][]wordRef{}
	addLink := func(a, b wordRef) {
		if !slices.Contains(links[a], b) {
			links[a] = append(links[a], b)
		}
	}
	for _, k := range sortedKeys(wn.synsets) {
		for _, ptr := range wn.synsets[k].ptrs {
			a, b := wordRef{k, ptr.src}, wordRef{ptr.to, ptr.dst}
			addLink(a, b)
			addLink(b, a)
		}
	}

	// The body first; the header, with the totals that let the reader
	// allocate once, goes before it at the end.
	var buf []byte
	u := func(v int) { buf = binary.AppendUvarint(buf, uint64(v)) }

	// Words, front-coded: shared prefix length, suffix length, suffix.
	total := 0
	for _, w := range words {
		total += len(w)
	}
	prev := ""
	for _, w := range words {
		k := 0
		for k < len(w) && k < len(prev) && w[k] == prev[k] {
			k++
		}
		u(k)
		u(len(w) - k)
		buf = append(buf, w[k:]...)
		prev = w
	}

	// Synsets: members<<2 | pos, then the members' entry ids.
	members := 0
	for _, k := range synOrder {
		var ids []int
		for _, w := range wn.synsets[k].words {
			if i, ok := id[w]; ok && !strings.Contains(w, "_") && !slices.Contains(ids, i) && len(wn.senses[w][k.pos]) > 0 {
				ids = append(ids, i)
			}
		}
		u(len(ids)<<2 | k.pos)
		for _, i := range ids {
			u(i)
		}
		members += len(ids)
	}

	// Senses per entry: count, then synset id and tagged count, noun
	// senses first, then verb, adjective, adverb, each in sense order.
	nsenses := 0
	for _, w := range words {
		ss := wn.senses[w]
		n := len(ss[0]) + len(ss[1]) + len(ss[2]) + len(ss[3])
		u(n)
		for _, per := range ss {
			for _, s := range per {
				u(synID[s.syn])
				u(s.count)
			}
		}
		nsenses += n
	}

	// Related forms per entry: ids, by sense order (most tagged first):
	// the words that the lemma's links, and those of its spelling variants
	// in the same synset, point to, with those words' variants.
	nrel := 0
	variants := map[[2]string]bool{}
	for _, w := range words {
		var rel []int
		add := func(t string) {
			if i, ok := id[t]; ok && t != w && !strings.Contains(t, "_") && !slices.Contains(rel, i) {
				rel = append(rel, i)
			}
		}
		for _, s := range byCount(wn.senses[w]) {
			if strings.Contains(w, "_") {
				break // a collocation has synonyms only
			}
			syn := wn.synsets[s.syn]
			for i, m := range syn.words {
				if m != w && !variant(m, w) {
					continue
				}
				if m != w {
					variants[[2]string{min(m, w), max(m, w)}] = true
				}
				for _, l := range links[wordRef{s.syn, i}] {
					t := wn.synsets[l.syn].words[l.w]
					add(t)
					// The target's own spellings, so that the relation
					// stays symmetric: criticism -> criticise, criticize.
					for _, v := range wn.synsets[l.syn].words {
						if variant(v, t) {
							add(v)
						}
					}
				}
			}
		}
		u(len(rel))
		for _, i := range rel {
			u(i)
		}
		nrel += len(rel)
	}

	// Exceptions per entry: base id<<2 | pos.
	nexc := 0
	for _, w := range words {
		per := exc[w]
		n := len(per[0]) + len(per[1]) + len(per[2]) + len(per[3])
		u(n)
		for p, bases := range per {
			for _, b := range bases {
				u(id[b]<<2 | p)
			}
		}
		nexc += n
	}
	body := buf
	buf = append([]byte(nil), magic...)
	for _, v := range []int{len(words), total, len(synOrder), members, nsenses, nrel, nexc} {
		u(v)
	}
	buf = append(buf, body...)
	u(len(buf)) // the reader checks it got here in step
	stats := fmt.Sprintf("entries %d (exception forms only %d), synsets %d, members %d, senses %d, related %d, exceptions %d, spelling variants %d, bytes %d",
		len(words), len(words)-len(wn.senses), len(synOrder), members, nsenses, nrel, nexc, len(variants), len(buf))
	return buf, stats
}

// byCount lists a lemma's senses most tagged first; ties keep part of
// speech order (noun, verb, adjective, adverb) and sense order.
func byCount(per [4][]sense) []sense {
	var all []sense
	for _, ss := range per {
		all = append(all, ss...)
	}
	slices.SortStableFunc(all, func(a, b sense) int { return b.count - a.count })
	return all
}

func sortedKeys(m map[synKey]*synset) []synKey {
	keys := make([]synKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b synKey) int {
		if a.pos != b.pos {
			return a.pos - b.pos
		}
		return a.off - b.off
	})
	return keys
}
