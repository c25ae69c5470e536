package qa

// People() is who's who: every person the articles name, with the role
// they give, most mentioned first. Rules in the manner of rule-based name
// taggers (a name is a run of capitalised words; what stands around it
// says whether it is a person), with no list of names:
//
//   - Names: runs of capitalised words, joined by spaces or hyphens, with
//     particles inside ("al-Sharaa", "bin Salman") and initials ("George
//     W. Bush"); not acronyms ("HTS"), months, weekdays or stop words. A
//     possessive ends a run. A title or office in the run (lists/role.txt,
//     and the occupations and relations of lists/people.txt) starts the
//     name after it: "Russian Deputy Foreign Minister | Mikhail Bogdanov";
//     "Secretary of State | John Kerry". A common word that opens a
//     sentence is not part of a name ("Speaking", "Although"), unless the
//     articles write it with a capital elsewhere too; nor is a people's
//     word that opens one ("Pakistani Taliban"). A name whose last word
//     names a kind of body or place ("Foreign Ministry", "Moscow Times",
//     lists/people.txt) is not a person's.
//   - Roles: the title just before a name with what modifies it ("Kremlin
//     spokesman Dmitry Peskov"), before a comma when the name is set off
//     by commas ("Syria's interim president, Ahmed al-Sharaa, and …",
//     "the head of the Syrian administration, Ahmed Hussein al-Sharaa,"),
//     or an apposition after it ("Martin Dempsey, chairman of the Joint
//     Chiefs of Staff,"), which wins over a bare title ("Gen.") or a
//     relation ("Her brother, Tomas Vasquez, a local architect,").
//   - Persons: a name is a person's when some mention of it has a role, a
//     title ("Sen."), or an age ("Raif Badawi, 30,"), or is another name of
//     a person ("also known by his nom de guerre …"); or, for a name of two
//     words or more, when it is the subject of a verb of saying ("Mark
//     Howard said") or "who" follows it. Places and organisations have
//     none of these ("the Kremlin said": a name after "the" is not a
//     speaker), so they are left out without a list of them.
//   - One person, several spellings: names of two words or more are one
//     person when their last names agree (equal, or one edit apart:
//     Shaibani, Sheibani) and so do their first (Ahmed, Ahmad; a middle
//     name may be left out), or, when the first names differ, when the
//     articles give both the same office ("Syrian Foreign Minister Hassan
//     al-Shaibani", "Foreign Minister Asaad al-Shaibani"). A name of one
//     word ("Putin", "Sharaa") is the person of that last name given that
//     office, or else the one most named in full; so people who share a
//     last name stay apart (Health Minister Maher al-Sharaa, interim
//     president Ahmed al-Sharaa). "al" and "el" are left out when names
//     are compared.
//   - Shown: the name as most often written in full; the role the
//     articles give most often (by its last two words before "of"), as
//     first written, a relation only when nothing else is said; the
//     sentence that gives it.
//
// Headlines, subheads and the publisher's appeal are left out. It is
// worked out once per index, on first call, and kept.

import (
	"slices"
	"strings"
	"unicode"

	"github.com/storybot/storybot/qa/internal/lexicon"
)

// Person is someone the articles name.
type Person struct {
	Name     string `json:"name"`     // as the articles most often write it in full
	Role     string `json:"role"`     // who they are, in the articles' words; may be empty
	Mentions int    `json:"mentions"` // times the articles name them, in full or not
	Text     string `json:"text"`     // the sentence that says who they are
	Source   Source `json:"source"`
}

// People returns the people the articles name, most mentioned first, each
// with the role the articles give and the sentence that gives it. It is
// worked out on the first call and kept; callers may change what it
// returns.
func (ix *Index) People() []Person {
	ix.story.peopleOnce.Do(func() { ix.story.people = ix.findPeople() })
	return slices.Clone(ix.story.people)
}

var (
	personWords   = map[string]bool{}
	roleModifiers = map[string]bool{}
	nameParticles = map[string]bool{}
	saysWords     = map[string]bool{}
	bodyWords     = map[string]bool{}
	openers       = map[string]bool{}
	kinWords      = map[string]bool{}
)

func init() {
	for _, kv := range readList("people.txt") {
		var set map[string]bool
		switch kv[0] {
		case "person":
			set = personWords
		case "modifier":
			set = roleModifiers
		case "particle":
			set = nameParticles
		case "says":
			set = saysWords
		case "body":
			set = bodyWords
		case "opener":
			set = openers
		case "kin":
			set = kinWords
		default:
			panic("qa: lists/people.txt: unknown key " + kv[0])
		}
		for _, w := range strings.Fields(kv[1]) {
			set[w] = true
		}
	}
}

// ptok is one word of a sentence as the name reader sees it.
type ptok struct {
	start, end int
	raw        string // as written, a possessive included
	w          string // lower case, a possessive removed
	cap        bool   // opens with a capital
	first      bool   // first word of the sentence
	poss       bool   // ends in 's or '
}

// mention is one naming of someone in a sentence.
type mention struct {
	sent     int32
	start    int      // byte offset in the sentence
	words    []string // lower case, "al" and "el" left out: what is compared
	shown    string   // as written, a possessive removed
	role     string   // as written; "" when none
	roleKey  string   // the role's last two words before "of", lower case
	evidence bool     // a role, title, age or "who" says it is a person
	speaks   bool     // the subject of a verb of saying
	who      bool     // "who" after it
	kin      bool     // the role is a relation: "brother", "wife"
	afterThe bool     // "the Assad regime": a name after "the"
	alias    int      // index in the sentence's mentions of the name this is another name for, or -1
}

// isRoleWord reports whether lower-case word w is a title, office,
// occupation or relation.
func isRoleWord(w string) bool { return roleWords[w] || personWords[w] || kinWords[w] }

// contentWord reports whether lower-case w can be a noun or adjective and
// not a verb: "administration", "militia", "interim", but not "held".
func contentWord(w string) bool {
	if isStop(w) {
		return false
	}
	ls := lexicon.Lemmas(w)
	if len(ls) == 0 {
		return false
	}
	for _, l := range ls {
		if l.POS == lexicon.Verb {
			return false
		}
	}
	return true
}

// sentenceMentions reads the names in sentence i.
func (ix *Index) sentenceMentions(i int32) []mention {
	s := &ix.sents[i]
	text := ix.texts[s.art][s.start:s.end]
	var toks []ptok
	tokenize(text, func(t token) {
		raw := text[t.start:t.end]
		// First in the sentence, or first in a quotation in it; not after
		// a title's dot ("Gen. Martin Dempsey"), which tokenize counts.
		first := len(toks) == 0 || strings.ContainsAny(text[toks[len(toks)-1].end:t.start], "\"“")
		r := []rune(raw)
		poss := len(r) >= 1 && isApostrophe(r[len(r)-1]) ||
			len(r) >= 2 && isApostrophe(r[len(r)-2]) && (r[len(r)-1] == 's' || r[len(r)-1] == 'S')
		toks = append(toks, ptok{start: t.start, end: t.end, raw: raw, w: string(t.word),
			cap: t.flags&flagCap != 0, first: first, poss: poss})
	})
	n := len(toks)
	gap := func(a, b int) string { return text[toks[a].end:toks[b].start] } // a < b
	joined := func(a, b int) bool {                                         // words of one name: a space or a hyphen between, or an initial's dot
		g := gap(a, b)
		initial := len(toks[a].raw) == 1 && toks[a].cap && g == ". "
		return !toks[a].poss && (g == " " || g == "-" || initial)
	}
	hyphenLower := func(k int) bool { // "Russian-backed": half of a compound word
		return k > 0 && gap(k-1, k) == "-" && !toks[k-1].cap && !nameParticles[toks[k-1].w] ||
			k+1 < n && gap(k, k+1) == "-" && !toks[k+1].cap && !nameParticles[toks[k+1].w]
	}
	title := func(k int) bool { // "Sen.", "Dr."
		return titles[toks[k].w] && toks[k].cap && k+1 < n && strings.HasPrefix(gap(k, k+1), ".")
	}
	nameWord := func(k int) bool {
		t := &toks[k]
		if !t.cap || isStop(t.w) || hyphenLower(k) || title(k) {
			return false
		}
		if _, ok := months[t.w]; ok {
			return false
		}
		if _, ok := weekdays[t.w]; ok {
			return false
		}
		letters, upper := 0, 0
		for _, r := range t.raw {
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		}
		return letters > 0 && !(upper > 1 && upper == letters) // not an acronym
	}
	particleAt := func(k int) bool {
		return nameParticles[toks[k].w] && k+1 < n && nameWord(k+1) && joined(k, k+1)
	}

	var out []mention
	for k := 0; k < n; {
		if !nameWord(k) && !particleAt(k) {
			k++
			continue
		}
		a, b := k, k
		for b+1 < n && joined(b, b+1) && (nameWord(b+1) || particleAt(b+1)) {
			b++
		}
		k = b + 1
		if m, ok := ix.readName(text, toks, a, b, title); ok {
			m.sent = i
			out = append(out, m)
		}
	}
	// "Al-Sharaa, also known by his nom de guerre Abu Mohammad al-Julani":
	// the second name is the first one's.
	for k := 0; k+1 < len(out); k++ {
		between := strings.ToLower(text[out[k].start+len(out[k].shown) : out[k+1].start])
		if len(between) < 48 && (strings.Contains(between, "known as") || strings.Contains(between, "known by") ||
			strings.Contains(between, "nom de guerre") || strings.Contains(between, "a.k.a") || strings.Contains(between, "aka ")) {
			out[k+1].alias = k
		}
	}
	return out
}

// readName reads the name in the run of capitalised words toks[a..b],
// with the role around it, and reports whether there is one.
func (ix *Index) readName(text string, toks []ptok, a, b int, title func(int) bool) (mention, bool) {
	n := len(toks)
	gap := func(x, y int) string { return text[toks[x].end:toks[y].start] }
	m := mention{alias: -1}
	// A title or office in the run: the name starts after the last.
	r := -1
	for k := a; k <= b; k++ {
		if isRoleWord(toks[k].w) {
			r = k
		}
	}
	start := a
	roleEnd := -1 // the last word of a role just before the name
	complement := false
	switch {
	case r == b:
		return m, false // "Foreign Minister": an office, no name
	case r >= 0:
		start, roleEnd = r+1, r
	case a >= 2 && toks[a-1].w == "of" && roleWords[toks[a-2].w] && gap(a-2, a-1) == " " && gap(a-1, a) == " " &&
		lexicon.Frequency(toks[a].w, lexicon.Noun) >= 5:
		// "Secretary of State John Kerry": the office's first word.
		if b == a {
			return m, false // "Minister of Defense"
		}
		start, roleEnd, complement = a+1, a, true
	case a >= 1 && (isRoleWord(toks[a-1].w) || title(a-1)) && strings.TrimSpace(gap(a-1, a)) == "" ||
		a >= 1 && title(a-1) && strings.TrimSpace(gap(a-1, a)) == ".":
		roleEnd = a - 1
	}
	// A common word that opens the sentence is not a name's: "Speaking".
	if start == a && toks[a].first && openers[toks[a].w] {
		start++ // "Although Minaj said"
	} else if start == a && toks[a].first && !isRoleWord(toks[a].w) {
		if id, ok := ix.words[toks[a].w]; ok && id >= 0 && !ix.properNoun(id) && (ix.terms[id].mid > 0 || lexicon.Known(toks[a].w)) {
			start++ // written in lower case where it is not first, or a word WordNet knows
		}
	}
	if start < b && demonym(toks[start].w) {
		start++ // "Pakistani Taliban", "Human Rights Watch": a people's word, not a first name
	}
	if start > b {
		return m, false
	}
	for k := start; k <= b; k++ {
		if w := toks[k].w; w != "al" && w != "el" {
			m.words = append(m.words, w)
		}
	}
	if len(m.words) == 0 || nameParticles[m.words[len(m.words)-1]] || bodyWords[m.words[len(m.words)-1]] {
		return m, false // no name, or a body's: "Foreign Ministry", "Moscow Times"
	}
	m.start = toks[start].start
	m.shown = strings.TrimRightFunc(text[toks[start].start:toks[b].end], func(r rune) bool { return isApostrophe(r) })
	if toks[b].poss {
		m.shown = strings.TrimRightFunc(strings.TrimSuffix(strings.TrimSuffix(m.shown, "s"), "S"), func(r rune) bool { return isApostrophe(r) })
	}
	m.afterThe = start == a && a > 0 && toks[a-1].w == "the"

	// The role: just before, as a title or after a comma, or just after.
	roleFrom, roleTo := -1, -1
	switch {
	case complement:
		if f := roleStart(text, toks, a-2); f >= 0 {
			roleFrom, roleTo = f, a
		}
	case roleEnd >= 0 && title(roleEnd):
		roleFrom, roleTo = roleEnd, roleEnd
		m.evidence = true
	case roleEnd >= 0:
		if f := roleStart(text, toks, roleEnd); f >= 0 {
			roleFrom, roleTo = f, roleEnd
		}
	case a >= 2 && strings.TrimSpace(gap(a-1, a)) == "," && b+1 < n && strings.HasPrefix(strings.TrimSpace(gap(b, b+1)), ","):
		// "Syria's interim president, Ahmed al-Sharaa, and …": the words
		// before the comma, an office and what it is of, with the name
		// set off by commas ("… a director of the Workers' Party, Yonhap
		// said" is not Yonhap's).
		if f, t := roleBeforeComma(text, toks, a-1); f >= 0 {
			roleFrom, roleTo = f, t
		}
	}
	// A title alone ("Sen.") or a relation ("Her brother, Tomas Vasquez, a
	// local architect,") says less than an apposition after the name.
	weak := roleFrom >= 0 && (roleFrom == roleTo && title(roleFrom) || kinWords[toks[roleTo].w])
	if (roleFrom < 0 || weak) && b+1 < n && strings.TrimSpace(gap(b, b+1)) == "," {
		if f, t, age := roleAfter(text, toks, b+1); age {
			m.evidence = true
		} else if f >= 0 {
			roleFrom, roleTo = f, t
		}
	}
	if roleFrom >= 0 {
		m.role = strings.TrimRight(text[toks[roleFrom].start:toks[roleTo].end], ".")
		if roleTo == roleFrom && title(roleFrom) {
			m.role = text[toks[roleFrom].start:toks[roleTo].end] + "."
		}
		m.roleKey = roleKey(toks[roleFrom : roleTo+1])
		m.kin = kinWords[roleHead(toks[roleFrom:roleTo+1])]
		m.evidence = true
	}
	if b+1 < n && toks[b+1].w == "who" && (strings.TrimSpace(gap(b, b+1)) == "," || gap(b, b+1) == " ") {
		m.who = true
	}
	if b+1 < n && saysWords[toks[b+1].w] && gap(b, b+1) == " " && !toks[b].poss ||
		start == a && a >= 1 && (toks[a-1].w == "said" || toks[a-1].w == "says") && gap(a-1, a) == " " {
		m.speaks = !m.afterThe
	}
	return m, true
}

// demonym reports whether lower-case w names a people or a place's
// people, as WordNet's adjectives ending like one do: "syrian",
// "pakistani", "chinese", "british".
func demonym(w string) bool {
	if len(w) < 4 || strings.Trim(w, "ivxlcdm") == "" { // not "xi", "li": Roman numerals
		return false
	}
	if !(strings.HasSuffix(w, "an") || strings.HasSuffix(w, "ese") || strings.HasSuffix(w, "i") ||
		strings.HasSuffix(w, "ish") || strings.HasSuffix(w, "ic")) {
		return false
	}
	for _, l := range lexicon.Lemmas(w) {
		if l.POS == lexicon.Adjective && l.Word == w {
			return true
		}
	}
	return false
}

// roleStart walks left from the office word toks[k] over what modifies
// it ("Russian Deputy Foreign", "Kremlin", "Syria's interim", "special
// envoy to the Middle East and deputy") and returns where the role starts,
// or -1 when toks[k] is not an office.
func roleStart(text string, toks []ptok, k int) int {
	if !isRoleWord(toks[k].w) && !(titles[toks[k].w] && toks[k].cap) {
		return -1
	}
	from := k
	pending := false // passed an "and" with no office yet to its left
	for j := k - 1; j >= 0 && k-j <= 10; j-- {
		g := text[toks[j].end:toks[j+1].start]
		if g != " " && g != "-" {
			break
		}
		t := &toks[j]
		ok := isRoleWord(t.w) || roleModifiers[t.w] || g == "-" ||
			t.cap && !isStop(t.w) || t.poss && !isStop(t.w) || contentWord(t.w)
		switch t.w {
		case "of", "to", "for":
			// "special envoy to the Middle East and deputy foreign
			// minister": inside an office joined to the one before the
			// name; "wife of fugitive Libyan leader Moammar Gadhafi" is
			// not the wife's name.
			ok = pending && j > 0 && isRoleWord(toks[j-1].w) && text[toks[j-1].end:toks[j].start] == " "
		case "and":
			ok, pending = true, true // "… and deputy foreign minister": another office before it
		case "the":
			ok = j > 0 && (toks[j-1].w == "of" || toks[j-1].w == "to" || toks[j-1].w == "for")
		}
		if !ok {
			break
		}
		if isRoleWord(t.w) {
			pending = false
		}
		if !pending {
			from = j
		}
	}
	// It starts with a word of the role, not "and", "of" or "the".
	for from < k && (toks[from].w == "and" || toks[from].w == "of" || toks[from].w == "to" ||
		toks[from].w == "for" || toks[from].w == "the") {
		from++
	}
	return from
}

// roleBeforeComma reads a role that ends at toks[k], just before a comma
// and a name: an office, then what it is of ("the head of the Syrian
// administration"). It returns where the role starts and ends, or -1.
func roleBeforeComma(text string, toks []ptok, k int) (int, int) {
	for j := k; j >= 0 && k-j <= 6; j-- {
		t := &toks[j]
		if j < k {
			if g := text[toks[j].end:toks[j+1].start]; g != " " && g != "-" {
				return -1, -1
			}
		}
		if isRoleWord(t.w) {
			if j < k && toks[j+1].cap && !isStop(toks[j+1].w) && !isRoleWord(toks[j+1].w) &&
				text[toks[j].end:toks[j+1].start] == " " {
				return -1, -1 // "Rabbi Shmuley Boteach, Michael Jackson": someone else's title
			}
			return roleStart(text, toks, j), k
		}
		if _, ok := months[t.w]; ok {
			return -1, -1
		}
		if !(t.cap && !isStop(t.w) || contentWord(t.w) || t.w == "of" || t.w == "to" || t.w == "for" || t.w == "the") {
			return -1, -1
		}
	}
	return -1, -1
}

// roleAfter reads an apposition that starts at toks[k], after a name and a
// comma: "chairman of the Joint Chiefs of Staff", "a correspondent for the
// Daily Beast", "Badawi's attorney". It returns where the role starts and
// ends, or -1; age reports an age instead ("Raif Badawi, 30,").
func roleAfter(text string, toks []ptok, k int) (from, to int, age bool) {
	n := len(toks)
	if v, ok := wholeNumber(toks[k].raw); ok && v > 0 && v < 120 && (k+1 == n || strings.HasPrefix(strings.TrimSpace(text[toks[k].end:toks[k+1].start]), ",")) {
		return -1, -1, true
	}
	j := k
	if w := toks[j].w; w == "the" || w == "a" || w == "an" {
		j++
	}
	from = j
	// Up to the office: modifiers, names of places and bodies, possessives.
	for ; j < n && j-from < 6; j++ {
		if j > from && strings.TrimSpace(text[toks[j-1].end:toks[j].start]) != "" &&
			text[toks[j-1].end:toks[j].start] != "-" {
			return -1, -1, false
		}
		t := &toks[j]
		if isRoleWord(t.w) {
			break
		}
		if !(roleModifiers[t.w] || t.cap && !isStop(t.w) || t.poss || contentWord(t.w)) {
			return -1, -1, false
		}
	}
	if j >= n || !isRoleWord(toks[j].w) {
		return -1, -1, false
	}
	// An office followed by a name is the next person's: "al-Sharaa,
	// Syrian Foreign Minister Asaad al-Shaibani".
	if j+1 < n && text[toks[j].end:toks[j+1].start] == " " && toks[j+1].cap &&
		(!isStop(toks[j+1].w) || nameParticles[toks[j+1].w]) && !isRoleWord(toks[j+1].w) {
		return -1, -1, false
	}
	to = j
	// What the office is of, to the next comma.
	for j+1 < n && j-from < 12 {
		g := text[toks[j].end:toks[j+1].start]
		if g != " " && g != "-" {
			break
		}
		t := &toks[j+1]
		if !(t.w == "of" || t.w == "for" || t.w == "to" || t.w == "at" || t.w == "the" || t.w == "a" ||
			t.cap && !isStop(t.w) || contentWord(t.w) || isRoleWord(t.w) || roleModifiers[t.w]) {
			break
		}
		j++
		if !(t.w == "of" || t.w == "for" || t.w == "to" || t.w == "at" || t.w == "the" || t.w == "a") {
			to = j
		}
	}
	return from, to, false
}

// roleHead returns the last office word of a role before "of", "to" or
// "for": "attorney" in "Badawi's attorney", "wife" in "wife of …".
func roleHead(toks []ptok) string {
	head := ""
	for _, t := range toks {
		if t.w == "of" || t.w == "to" || t.w == "for" {
			break
		}
		if isRoleWord(t.w) {
			head = t.w
		}
	}
	return head
}

// roleKey returns the last two words of a role before "of", "to" or "for",
// in lower case, possessives left out: "foreign minister" for "Syrian
// Foreign Minister", "minister" for "Syria's Minister of Defense".
func roleKey(toks []ptok) string {
	var ws []string
	for _, t := range toks {
		if t.w == "of" || t.w == "to" || t.w == "for" || t.w == "and" {
			break
		}
		if !t.poss && !isStop(t.w) {
			ws = append(ws, t.w)
		}
	}
	if len(ws) > 2 {
		ws = ws[len(ws)-2:]
	}
	return strings.Join(ws, " ")
}

// personCluster is the mentions of one person.
type personCluster struct {
	mentions []*mention
	first    []string // first names written in full
	last     string
	full     int // mentions of two words or more
	alias    *personCluster
	id       int             // the order it was made in
	roles    map[string]bool // the roleKeys its mentions give
}

func (c *personCluster) root() *personCluster {
	for c.alias != nil {
		c = c.alias
	}
	return c
}

// hasRole reports whether a mention of c gives the office key (two words).
func (c *personCluster) hasRole(key string) bool {
	return strings.Contains(key, " ") && c.roles[key]
}

// sameName reports whether two lower-case names, first or last, are one:
// equal, or one edit apart when both have five letters or more (Ahmed,
// Ahmad; Shaibani, Sheibani), or four letters and only a vowel differs
// (Omar, Umar).
func sameName(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len([]rune(a)), len([]rune(b))
	if la < 4 || lb < 4 || !editDistance1(a, b) {
		return false
	}
	if la >= 5 && lb >= 5 {
		return true
	}
	// Four letters: only a vowel may differ (Ahmed/Ahmad are five; Omar/Umar).
	ra, rb := []rune(a), []rune(b)
	for i := range min(la, lb) {
		if ra[i] != rb[i] {
			return strings.ContainsRune("aeiouy", ra[i]) && strings.ContainsRune("aeiouy", rb[i])
		}
	}
	return false
}

func (ix *Index) findPeople() []Person {
	var ms []*mention
	for i := range ix.sents {
		if ix.sents[i].headline || ix.sents[i].appeal {
			continue
		}
		sm := ix.sentenceMentions(int32(i))
		base := len(ms)
		for k := range sm {
			m := sm[k]
			if m.alias >= 0 {
				m.alias += base
			}
			ms = append(ms, &m)
		}
	}
	clusterOf := make([]*personCluster, len(ms))
	var clusters []*personCluster
	byLast := map[string][]*personCluster{}  // a last name and its one-deletion forms → clusters
	byFirst := map[string][]*personCluster{} // a first name written in full → clusters
	add := func(c *personCluster) {
		c.id = len(clusters)
		clusters = append(clusters, c)
		byLast[c.last] = append(byLast[c.last], c)
		deletes(c.last, nil, func(d []byte) { byLast[string(d)] = append(byLast[string(d)], c) })
	}
	// withLast returns the clusters whose last name is one with w, in the
	// order they were made.
	withLast := func(w string) []*personCluster {
		var out []*personCluster
		visit := func(key string) {
			for _, c := range byLast[key] {
				if !slices.Contains(out, c) && sameName(c.last, w) {
					out = append(out, c)
				}
			}
		}
		visit(w)
		deletes(w, nil, func(d []byte) { visit(string(d)) })
		slices.SortFunc(out, func(a, b *personCluster) int { return a.id - b.id })
		return out
	}
	// Names of two words or more first: they say who the short ones are.
	for k, m := range ms {
		if len(m.words) < 2 {
			continue
		}
		first, last := m.words[0], m.words[len(m.words)-1]
		var into *personCluster
		for _, c := range withLast(last) {
			if slices.ContainsFunc(c.first, func(f string) bool { return sameName(f, first) }) || c.hasRole(m.roleKey) {
				into = c
				break
			}
		}
		if into == nil {
			into = &personCluster{last: last, roles: map[string]bool{}}
			add(into)
		}
		if !slices.Contains(into.first, first) {
			into.first = append(into.first, first)
			byFirst[first] = append(byFirst[first], into)
		}
		into.mentions = append(into.mentions, m)
		into.roles[m.roleKey] = true
		into.full++
		clusterOf[k] = into
	}
	// Names of one word: the person of that last name most named in full,
	// or the one given that office; else a first name; else their own.
	for k, m := range ms {
		if len(m.words) != 1 {
			continue
		}
		w := m.words[0]
		var into, alone *personCluster
		for _, c := range withLast(w) {
			if c.full == 0 {
				if alone == nil {
					alone = c
				}
				continue
			}
			if c.hasRole(m.roleKey) {
				into = c
				break
			}
			if into == nil || c.full > into.full {
				into = c
			}
		}
		if into == nil && len(byFirst[w]) == 1 {
			into = byFirst[w][0]
		}
		if into == nil {
			into = alone
		}
		if into == nil {
			into = &personCluster{last: w, roles: map[string]bool{}}
			add(into)
		}
		into.mentions = append(into.mentions, m)
		into.roles[m.roleKey] = true
		clusterOf[k] = into
	}
	// Another name for someone: one person.
	for k, m := range ms {
		if m.alias >= 0 {
			if a, b := clusterOf[m.alias].root(), clusterOf[k].root(); a != b {
				b.alias = a
			}
		}
	}
	merged := map[*personCluster][]*mention{}
	var order []*personCluster
	for _, c := range clusters {
		r := c.root()
		if _, ok := merged[r]; !ok {
			order = append(order, r)
		}
		merged[r] = append(merged[r], c.mentions...)
	}

	type found struct {
		p     Person
		first int32 // the sentence first naming them
	}
	var fs []found
	for _, c := range order {
		ms := merged[c]
		slices.SortStableFunc(ms, func(a, b *mention) int {
			if a.sent != b.sent {
				return int(a.sent - b.sent)
			}
			return a.start - b.start
		})
		long := slices.ContainsFunc(ms, func(m *mention) bool { return len(m.words) >= 2 })
		alias := slices.ContainsFunc(ms, func(m *mention) bool { return m.alias >= 0 })
		if !alias && !slices.ContainsFunc(ms, func(m *mention) bool { return m.evidence || (m.speaks || m.who) && long }) {
			continue // a place, a body, a thing: nothing says a person
		}
		p := Person{Name: mostWritten(ms), Mentions: len(ms)}
		shown := ms[0]
		if m := chooseRole(ms); m != nil {
			p.Role, shown = m.role, m
		}
		s := &ix.sents[shown.sent]
		p.Text = ix.texts[s.art][s.start:s.end]
		p.Source = ix.sources[s.art].Source
		fs = append(fs, found{p, ms[0].sent})
	}
	slices.SortStableFunc(fs, func(a, b found) int {
		if a.p.Mentions != b.p.Mentions {
			return b.p.Mentions - a.p.Mentions
		}
		return int(a.first - b.first)
	})
	out := make([]Person, len(fs))
	for i, f := range fs {
		out[i] = f.p
	}
	return out
}

// mostWritten returns the name of two words or more written most often
// among ms, the first written on a tie; or the one-word name most often
// written when there is none longer.
func mostWritten(ms []*mention) string {
	count := map[string]int{}
	best, bestN, bestLong := "", 0, false
	for _, m := range ms {
		long := len(m.words) >= 2
		count[m.shown]++
		n := count[m.shown]
		if long && !bestLong || long == bestLong && n > bestN {
			best, bestN, bestLong = m.shown, n, long
		}
	}
	return best
}

// chooseRole returns the mention whose role the person is shown with: of
// the roles given most often (by roleKey), the wording given most often,
// the first on a tie; nil when no mention gives a role.
func chooseRole(ms []*mention) *mention {
	byKey := map[string]int{}
	byText := map[string]int{}
	// A relation ("her brother") only when nothing else is said.
	office := slices.ContainsFunc(ms, func(m *mention) bool { return m.role != "" && !m.kin })
	for _, m := range ms {
		if m.role != "" && !(office && m.kin) {
			byKey[m.roleKey]++
			byText[strings.ToLower(m.role)]++
		}
	}
	var best *mention
	for _, m := range ms {
		if m.role == "" || office && m.kin {
			continue
		}
		if best == nil || byKey[m.roleKey] > byKey[best.roleKey] ||
			byKey[m.roleKey] == byKey[best.roleKey] && m.roleKey == best.roleKey &&
				byText[strings.ToLower(m.role)] > byText[strings.ToLower(best.role)] {
			best = m
		}
	}
	return best
}
