package qa

// Conversations. People ask one question leaning on the last: "who is
// bogdanov" → "what did he say about sanctions" → "and when?" → "why?".
// A Conversation holds one person's recent turns: each question as asked,
// as resolved, the names and the topic words it was about, and the answer
// given. AskIn resolves a new question against them:
//
//   - a question that is only names after "and" / "what about" ("and
//     bogdanov?") asks the last question asked in full again, about them;
//   - an elliptic one, nothing but words that ask ("and when?", "why?",
//     "for how long"), or an echo question, a few words ending on the
//     word that asks ("told who", "took power when"), asks about the
//     previous topic and names;
//   - one that points at a thing or a place ("it", "that", "there",
//     "them") adds the previous topic and names, even when it names
//     something of its own ("how did the kremlin describe it");
//   - one that points at a person ("he", "she", "his") adds the people
//     the last turn named, or else the first person the last answer's
//     sentence names (its subject, not everyone in it), whatever else
//     the question names ("what did he say about the russian bases");
//   - any other question is a new topic and inherits nothing; but, as it
//     may still be about the last one ("when did the strike end" after
//     the ferry strike), the last turn's names and topic words are asked
//     with it as a prior, weighing Params.Prior times what inherited
//     words weigh, and only among the sentences its own words find.
//
// The inherited words are asked with the question, each weighing
// Params.Context times its idf: a follow-up's own words count for more.

import (
	"slices"
	"strings"
)

// MaxTurns is how many turns a Conversation keeps.
const MaxTurns = 4

// Conversation is one person's recent turns, oldest first. The zero value
// is an empty conversation. It is a plain value: the caller keeps one per
// person and passes it to AskIn, which appends the new turn.
type Conversation struct {
	Turns []Turn `json:"turns"`
}

// Turn is one question of a conversation.
type Turn struct {
	Question string `json:"question"` // as asked
	Asked    string `json:"asked"`    // as resolved against the turns before
	// Inherited are the words Asked adds to the question, from the turns
	// before: they weigh Params.Context times their own weight.
	Inherited []string `json:"inherited,omitempty"`
	Names     []string `json:"names"`  // the names it is about, carried ones included
	Topic     []string `json:"topic"`  // its other words that say what it is about
	Answer    string   `json:"answer"` // the first answer's text; "" when declined
	// sent is the sentence of Answer, plus 1, in the index that gave it;
	// focus is that of the last answer, which the turn leans on.
	sent, focus int32
	// prior are the last turn's names and topic words, for a question
	// that neither points at them nor names anyone: it may still be about
	// them, so they are asked with it, weighing Params.Prior times the
	// inherited words' weight, but it is not resolved to them.
	prior []string
}

// AskIn answers question as the next turn of c, resolving what it leans
// on, and appends the turn to c (keeping the last MaxTurns). c may be nil:
// then the question stands alone and nothing is kept.
func (ix *Index) AskIn(c *Conversation, question string) (Result, Turn, error) {
	var prev []Turn
	if c != nil {
		prev = c.Turns
	}
	t := ix.resolve(prev, question)
	q, fu := t.query()
	res, _, err := ix.ask(strings.TrimSpace(strings.ToValidUTF8(q, "\uFFFD")), fu, false)
	res.Question = question
	if len(res.Answers) > 0 {
		t.Answer = res.Answers[0].Text
		t.sent = res.first
	}
	if c != nil && err == nil {
		c.Turns = append(c.Turns, t)
		if len(c.Turns) > MaxTurns {
			c.Turns = slices.Delete(c.Turns, 0, len(c.Turns)-MaxTurns)
		}
	}
	return res, t, err
}

// query returns what to ask for t: the question and the words it
// inherits, which weigh less, or the question as resolved when it was
// rewritten ("and bogdanov?"); and the sentence it leans on.
func (t Turn) query() (string, followUp) {
	if len(t.Inherited) > 0 {
		return t.Question, followUp{words: strings.Join(t.Inherited, " "), focus: t.focus}
	}
	if len(t.prior) > 0 {
		return t.Asked, followUp{words: strings.Join(t.prior, " "), prior: true, focus: t.focus}
	}
	return t.Asked, followUp{focus: t.focus}
}

// resolve works out what question asks, given the turns before it.
func (ix *Index) resolve(prev []Turn, question string) Turn {
	t := Turn{Question: question, Asked: question}
	words := lowerWords(question)
	t.Names = ix.Names(question)
	t.Topic = ix.topicWords(words, t.Names)
	if len(prev) == 0 {
		return t
	}
	last := prev[len(prev)-1]
	if f := last.sent - 1; f >= 0 && int(f) < len(ix.sents) && ix.sentenceText(f) == last.Answer {
		t.focus = last.sent // the same index: a reload renumbers sentences
	}
	carry := func(names, topic []string) {
		for _, w := range append(slices.Clone(names), topic...) {
			if !slices.Contains(t.Names, w) && !slices.Contains(t.Topic, w) && !slices.Contains(t.Inherited, w) {
				t.Inherited = append(t.Inherited, w)
			}
		}
		t.Asked = strings.Join(append([]string{question}, t.Inherited...), " ")
		t.Names = union(t.Names, names)
		t.Topic = union(t.Topic, topic)
	}
	switch {
	case len(t.Names) > 0 && onlyNames(words, t.Names):
		// "and bogdanov?": the last question asked in full, about them.
		base := last
		for i := len(prev) - 1; i >= 0; i-- {
			if len(prev[i].Inherited) == 0 {
				base = prev[i]
				break
			}
		}
		t.Asked = swapNames(base.Asked, base.Names, t.Names)
		t.Topic = base.Topic
	case len(t.Names) > 0 && !pointsAt(words, pronounsPerson) && !pointsAt(words, pronounsThing):
		// A question naming someone and pointing at nothing stands on its
		// own; "how did the kremlin describe it" and "what did he say
		// about the russian bases" still lean on the last turn.
	case elliptic(words) || ix.echo(words):
		carry(last.Names, last.Topic)
	case pointsAt(words, pronounsThing):
		carry(last.Names, last.Topic)
	case pointsAt(words, pronounsPerson):
		// The people the last turn named, or else the first its answer
		// named; else the names of the last turn that had any.
		names := ix.persons(last.Names)
		if len(names) == 0 {
			names = ix.firstPerson(ix.Names(last.Answer))
		}
		for i := len(prev) - 1; i >= 0 && len(names) == 0; i-- {
			if names = prev[i].Names; len(names) == 0 {
				names = ix.Names(prev[i].Answer)
			}
		}
		if len(names) > 0 {
			carry(names, nil)
		}
	case ix.params.Prior > 0:
		for _, w := range union(last.Names, last.Topic) {
			if !slices.Contains(t.Names, w) && !slices.Contains(t.Topic, w) {
				t.prior = append(t.prior, w)
			}
		}
	}
	return t
}

// lowerWords returns the words of q in lower case, as the tokenizer reads
// them (apostrophes kept out, "al-sharaa" two words).
func lowerWords(q string) []string {
	var out []string
	tokenize(q, func(tk token) { out = append(out, string(tk.word)) })
	return out
}

// topicWords returns the words of a question that say what it is about:
// those the articles use that are not stop words, question words or names.
func (ix *Index) topicWords(words, names []string) []string {
	var out []string
	for _, w := range words {
		if askWords[w] || pronounsPerson[w] || pronounsThing[w] || queryStop[w] || slices.Contains(names, w) || slices.Contains(out, w) {
			continue
		}
		if id, ok := ix.words[w]; ok && id >= 0 {
			out = append(out, w)
		}
	}
	return out
}

var (
	// askWords are the words that ask, and the filler around them: an
	// elliptic follow-up holds nothing else ("and when?", "why is that").
	askWords       = wordList("followup-ask.txt")
	pronounsPerson = wordList("followup-person.txt") // he, she, his…
	pronounsThing  = wordList("followup-thing.txt")  // it, that, there, them…
)

// elliptic reports whether words hold nothing but words that ask.
func elliptic(words []string) bool {
	if len(words) == 0 || len(words) > 5 {
		return false
	}
	for _, w := range words {
		if !askWords[w] && !pronounsThing[w] {
			return false
		}
	}
	return true
}

// echo reports whether words are an echo question: a few words that end
// on the word that asks ("told who", "took power when", "wanted wat"),
// which asks about what the last turn said, not a new topic.
func (ix *Index) echo(words []string) bool {
	if len(words) < 2 || len(words) > 3 {
		return false
	}
	switch ix.questionWord(words[len(words)-1]) {
	case "what", "when", "where", "which", "who", "whom", "why", "how":
		return true
	}
	return false
}

func pointsAt(words []string, set map[string]bool) bool {
	return slices.ContainsFunc(words, func(w string) bool { return set[w] })
}

// onlyNames reports whether words are "and" or "what/how about" followed
// by nothing but names: "and sharaa?", "what about al-sharaa and peskov".
func onlyNames(words, names []string) bool {
	n := 0
	switch {
	case len(words) > 0 && words[0] == "and":
		n = 1
	case len(words) > 1 && (words[0] == "what" || words[0] == "how") && words[1] == "about":
		n = 2
	default:
		return false
	}
	rest := words[n:]
	for _, w := range rest {
		if w != "and" && w != "the" && w != "then" && w != "al" && !slices.Contains(names, w) {
			return false
		}
	}
	return len(rest) > 0
}

// swapNames returns question with the words naming old replaced by names,
// where the first of them stood, or names added when it held none.
func swapNames(question string, old, names []string) string {
	var out []string
	swapped := false
	for _, f := range strings.Fields(question) {
		w := lowerWords(f)
		if len(w) == 0 || !slices.ContainsFunc(w, func(x string) bool { return slices.Contains(old, x) }) {
			out = append(out, f)
			continue
		}
		if !swapped {
			out = append(out, strings.Join(names, " "))
			swapped = true
		}
	}
	if !swapped {
		out = append(out, names...)
	}
	return strings.Join(out, " ")
}

// persons returns the names that are words of a person's name (People):
// "bogdanov", not "russian" or "damascus".
func (ix *Index) persons(names []string) []string {
	var out []string
	for _, n := range names {
		if ix.isPerson(n) {
			out = append(out, n)
		}
	}
	return out
}

// isPerson reports whether name is a word of the name of someone the
// articles name (People), worked out on first use.
func (ix *Index) isPerson(name string) bool {
	ix.story.personOnce.Do(func() {
		ix.story.personWords = map[string]bool{}
		for _, p := range ix.People() {
			for _, w := range lowerWords(p.Name) {
				if !nameParticles[w] {
					ix.story.personWords[w] = true
				}
			}
		}
	})
	return ix.story.personWords[name]
}

// firstPerson returns the words naming the first person among names, in
// the order a sentence names them: who "he" most likely stands for after
// "Syrian Defense Minister Murhaf Abu Qasra stated … since the fall of
// al-Assad" is its subject, not everyone it names.
func (ix *Index) firstPerson(names []string) []string {
	var out []string
	for _, n := range names {
		switch {
		case ix.isPerson(n):
			out = append(out, n)
		case nameParticles[n] && len(out) > 0: // "abu" in "murhaf abu qasra"
		case len(out) > 0:
			return out
		}
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, w := range b {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
