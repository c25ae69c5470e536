package qa

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNoArticles is returned when a corpus holds no .txt article, or none
// with a sentence to answer from.
var ErrNoArticles = errors.New("no .txt articles")

// ErrNoSentences is returned by NewIndex when no article has a sentence to
// answer from; errors.Is(err, ErrNoArticles) holds for it too.
var ErrNoSentences = fmt.Errorf("%w with a sentence to answer from", ErrNoArticles)

// An Article is one news article: where it came from, when it was
// published, and its text, one paragraph a line.
type Article struct {
	Source
	// Date is the day the article was published, "YYYY-MM-DD", from its
	// date: header; empty when the header does not say. Relative dates in
	// the text ("on Wednesday", "last month") are read against it.
	Date string
	Text string
}

// LoadDir reads every .txt file in dir (not its sub-folders) as an article.
// It fails, naming the file, when any file cannot be read or is not UTF-8
// text: a corpus is loaded whole or not at all.
func LoadDir(dir string) ([]Article, error) { return LoadDirWarn(dir, nil) }

// LoadDirWarn is LoadDir, calling warn (when not nil) once for each thing
// it passes over that the folder's owner may not expect: a sub-folder, a
// header key it does not use. Each message names the file.
func LoadDirWarn(dir string, warn func(msg string)) ([]Article, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("corpus %s: not a folder", dir)
	}
	arts, err := loadFS(os.DirFS(dir), warn)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	return arts, nil
}

// LoadFS reads every .txt file at the root of fsys as an article, in name
// order.
func LoadFS(fsys fs.FS) ([]Article, error) { return loadFS(fsys, nil) }

func loadFS(fsys fs.FS, warn func(string)) ([]Article, error) {
	if warn == nil {
		warn = func(string) {}
	}
	if entries, err := fs.ReadDir(fsys, "."); err == nil {
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				warn(fmt.Sprintf("%s: a folder: not read (articles are the .txt files at the top of the corpus)", e.Name()))
			}
		}
	}
	names, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var arts []Article
	for _, name := range names {
		if fi, err := fs.Stat(fsys, name); err == nil && fi.IsDir() {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		a, unused, err := parseArticle(strings.TrimSuffix(path.Base(name), ".txt"), data)
		if err != nil {
			return nil, fmt.Errorf("%s%w", name, err)
		}
		for _, u := range unused {
			warn(fmt.Sprintf("%s%s", name, u))
		}
		arts = append(arts, a)
	}
	if len(arts) == 0 {
		return nil, ErrNoArticles
	}
	return arts, nil
}

// ParseArticle reads one article file. The file may open with a header of
// "key: value" lines between two "---" lines; the keys title, outlet, url
// (the article's web address, http or https) and date (the day it was
// published, YYYY-MM-DD) are used, others are ignored. A date or url that
// is not one is an error. Without a title, the headline (the first line
// when it reads as one) is the title, or else the opening words.
// Errors start with ":line: " so the caller can put the file name before.
func ParseArticle(id string, data []byte) (Article, error) {
	a, _, err := parseArticle(id, data)
	return a, err
}

// parseArticle is ParseArticle, also returning a ":line: …" note for each
// header key it does not use.
func parseArticle(id string, data []byte) (Article, []string, error) {
	var unused []string
	if line, ok := invalidUTF8(data); !ok {
		return Article{}, nil, fmt.Errorf(":%d: not UTF-8 text", line)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return Article{}, nil, fmt.Errorf(":%d: not text (a NUL byte)", 1+bytes.Count(data[:i], []byte("\n")))
	}
	text := strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\uFEFF"))), "\r\n", "\n")
	a := Article{Source: Source{ID: id}}
	if rest, ok := strings.CutPrefix(text, "---\n"); ok {
		header, body, found := strings.Cut(rest, "\n---\n")
		if !found {
			return Article{}, nil, fmt.Errorf(":1: header opened with --- is never closed")
		}
		for n, line := range strings.Split(header, "\n") {
			key, value, ok := strings.Cut(line, ":")
			if !ok && strings.TrimSpace(line) != "" {
				return Article{}, nil, fmt.Errorf(":%d: header line is not key: value", n+2)
			}
			switch strings.ToLower(strings.TrimSpace(key)) {
			case "title":
				a.Title = strings.TrimSpace(value)
			case "outlet":
				a.Outlet = strings.TrimSpace(value)
			case "date":
				d, err := headerDate(strings.TrimSpace(value))
				if err != nil {
					return Article{}, nil, fmt.Errorf(":%d: %w", n+2, err)
				}
				a.Date = d
			case "url":
				u, err := headerURL(strings.TrimSpace(value))
				if err != nil {
					return Article{}, nil, fmt.Errorf(":%d: %w", n+2, err)
				}
				a.URL = u
			case "":
			default:
				unused = append(unused, fmt.Sprintf(":%d: header key %q is not used (title, outlet, url and date are)", n+2, strings.TrimSpace(key)))
			}
		}
		text = body
	}
	a.Text = text
	if a.Title == "" {
		a.Title = deriveTitle(text, id)
	}
	return a, unused, nil
}

// headerDate checks the value of a date: header, a day written
// YYYY-MM-DD, and returns it; empty stays empty.
func headerDate(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		if len(v) > 24 {
			v = strings.ToValidUTF8(v[:24], "") + "…"
		}
		return "", fmt.Errorf("date %q is not a day written YYYY-MM-DD", v)
	}
	return v, nil
}

// headerURL checks the value of a url: header, an absolute http or https
// address, and returns it; empty stays empty. The error does not repeat the
// value: an address may carry a token.
func headerURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(v, " \t") {
		return "", errors.New("url is not an http or https address")
	}
	return v, nil
}

// invalidUTF8 returns the line of the first invalid UTF-8 byte.
func invalidUTF8(data []byte) (line int, ok bool) {
	if utf8.Valid(data) {
		return 0, true
	}
	line = 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line, false
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line, false
}

// deriveTitle returns the article's headline: its first line that is not
// page furniture, when that line has no final full stop and is short;
// otherwise the opening words of its first sentence.
func deriveTitle(text, id string) string {
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if isSalutation(line) {
			break
		}
		if line == "" || isFurniture(line) {
			continue
		}
		if !strings.HasSuffix(line, ".") && len(strings.Fields(line)) <= 20 {
			return line
		}
		sents := splitSentences(line)
		return clip(line[sents[0].start:sents[0].end], 12)
	}
	return id
}

// clip returns the first n words of s, with an ellipsis when it cut any.
func clip(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return s
	}
	return strings.Join(words[:n], " ") + "…"
}

// paragraphs returns the byte ranges of the lines of text that carry the
// article, leaving out page furniture:
//   - lines of fewer than four words: site names, photo credits, buttons
//     ("Read more", "kremlin.ru", "4 hours ago 3");
//   - lines that ask the reader ("you", "our") to subscribe, donate or read
//     a newsletter, lines with a button's words ("sign up", "read more",
//     "privacy policy"), and photo credits;
//   - a line that greets the reader ("Dear readers,"), with a lead-in
//     line ending in ":" just before it. It starts an appeal that runs to
//     the end of the page: its lines, paras[appeal:], are kept, as they
//     may say what a reader asks ("who designated the Moscow Times
//     undesirable"), but told apart, as they are not the story.
func paragraphs(text string) (paras []span, appeal int) {
	var out []span
	appeal = -1
	start := 0
	for start <= len(text) {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		var buf [1]span
		s := appendSpan(buf[:0], text, start, end)
		start = end + 1
		if len(s) == 0 {
			continue
		}
		line := text[s[0].start:s[0].end]
		if appeal < 0 && isSalutation(line) {
			if n := len(out); n > 0 && strings.HasSuffix(text[out[n-1].start:out[n-1].end], ":") {
				out = out[:n-1]
			}
			appeal = len(out)
			continue
		}
		if isFurniture(line) {
			continue
		}
		out = append(out, s[0])
	}
	if appeal < 0 {
		appeal = len(out)
	}
	return out, appeal
}

// isFurniture reports whether one line is page furniture rather than text.
// Furniture is short, so only the first 64 words decide.
func isFurniture(line string) bool {
	if isTeaser(line) {
		return true
	}
	if !mayBeFurniture(line) {
		return false
	}
	var (
		buf, prev [24]byte // the current and previous word, lower case
		pairBuf   [49]byte
		n, pn     int
		words     int
		first     [24]byte // the first two words
		second    [24]byte
		fn, sn    int
		appeal    bool
		reader    bool
	)
	for rest := line; rest != ""; {
		// The next word: a run without ASCII space, trimmed of ASCII
		// characters that are not letters ("(Photo:" is "photo").
		start := 0
		for start < len(rest) && isASCIISpace(rest[start]) {
			start++
		}
		end := start
		for end < len(rest) && !isASCIISpace(rest[end]) {
			end++
		}
		f := rest[start:end]
		rest = rest[end:]
		for f != "" && f[0] < utf8.RuneSelf && !isASCIILetter(f[0]) {
			f = f[1:]
		}
		for f != "" && f[len(f)-1] < utf8.RuneSelf && !isASCIILetter(f[len(f)-1]) {
			f = f[:len(f)-1]
		}
		if f == "" {
			continue
		}
		words++
		n = 0
		for i := 0; i < len(f) && n < len(buf); i++ {
			c := f[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[n] = c
			n++
		}
		w := buf[:n]
		switch words {
		case 1:
			first, fn = buf, n
		case 2:
			second, sn = buf, n
		}
		// Most words start unlike any word looked for: skip the lookups.
		if n >= 2 && startsFurniture[twoLetters(w[0], w[1])] {
			appeal = appeal || appealWords[string(w)]
			reader = reader || readerWords[string(w)]
		}
		if pn >= 2 && startsFurniture[twoLetters(prev[0], prev[1])] {
			pair := append(append(append(pairBuf[:0], prev[:pn]...), ' '), w...)
			if appealPairs[string(pair)] {
				return true
			}
		}
		prev, pn = buf, n
		if words == 64 {
			break
		}
	}
	if words < 4 {
		return true
	}
	w1, w2 := string(first[:fn]), string(second[:sn])
	// "Support The Moscow Times!": an appeal naming the site.
	if w1 == "support" && strings.HasSuffix(line, "!") && words <= 5 {
		return true
	}
	switch w1 {
	case "photo", "photos", "image", "picture", "video", "credit":
		if strings.Contains(line, ":") || w2 == "by" || w2 == "credit" {
			return true
		}
	}
	return appeal && reader
}

// isTeaser reports whether line is a link to another article under a
// label: "Know more: …", "Read also: …", "Related: …".
func isTeaser(line string) bool {
	i := strings.IndexByte(line, ':')
	if i < 0 || i > 16 {
		return false
	}
	return teaserLabels[strings.ToLower(strings.Join(strings.Fields(line[:i]), " "))]
}

var teaserLabels = setOf2(`know more|read more|read also|also read|related|see also|
	recommended|must read|trending|watch|listen|further reading`)

func isASCIISpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// mayBeFurniture is a quick test that most lines of text fail: it reports
// whether line has fewer than four words or a word that starts like one
// of those isFurniture looks for.
func mayBeFurniture(line string) bool {
	words := 0
	for i := 0; i < len(line); i++ {
		if i > 0 && line[i-1] != ' ' {
			continue
		}
		if c := line[i] | 0x20; c >= 'a' && c <= 'z' || line[i] >= 0x80 {
			words++
		}
		if i+4 <= len(line) && startsFurniture[twoLetters(line[i], line[i+1])] {
			var k [4]byte
			for j := range k {
				k[j] = line[i+j] | 0x20 // lower case for ASCII letters
			}
			if furnitureStarts[k] {
				return true
			}
		}
	}
	return words < 4
}

// twoLetters numbers a pair of ASCII letters, either case, from 1 to
// 26·26; anything else is 0.
func twoLetters(a, b byte) int {
	a, b = a|0x20, b|0x20
	if a < 'a' || a > 'z' || b < 'a' || b > 'z' {
		return 0
	}
	return 1 + int(a-'a')*26 + int(b-'a')
}

// furnitureStarts are the first four letters of the words isFurniture
// looks for; startsFurniture, their first two, is the quicker test.
var startsFurniture [1 + 26*26]bool

var furnitureStarts = func() map[[4]byte]bool {
	m := map[[4]byte]bool{}
	add := func(w string) {
		if len(w) >= 4 {
			m[[4]byte([]byte(w[:4]))] = true
			startsFurniture[twoLetters(w[0], w[1])] = true
		}
	}
	for w := range appealWords {
		add(w)
	}
	for p := range appealPairs {
		add(p[:strings.IndexByte(p, ' ')])
	}
	for _, w := range []string{"support", "photo", "image", "picture", "video", "credit"} {
		add(w)
	}
	for w := range readerWords {
		startsFurniture[twoLetters(w[0], w[1])] = true
	}
	return m
}()

// isSalutation reports whether a line greets the reader: "Dear readers,".
func isSalutation(line string) bool {
	if len(line) > 40 {
		return false
	}
	f := strings.Fields(strings.ToLower(line))
	if len(f) < 2 || len(f) > 4 {
		return false
	}
	switch f[0] {
	case "dear", "hello", "hi":
		return readers[strings.TrimRight(f[1], ",:!.")]
	}
	return false
}

var (
	readers     = setOf(`reader readers friend friends subscriber subscribers supporter supporters`)
	readerWords = setOf(`you your our us`)
	appealWords = setOf(`subscribe subscribers subscription newsletter newsletters donate donation
		donations donating advertisement cookies`)
	appealPairs = setOf2(`sign up|signing up|support us|your support|support independent|privacy policy|
		read more|read entire|click here|follow us|share this|rights reserved|getty images`)
)

// setOf2 returns the set of "|"-separated two-word phrases in list, each
// with one space between its words.
func setOf2(list string) map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Split(list, "|") {
		m[strings.Join(strings.Fields(p), " ")] = true
	}
	return m
}
