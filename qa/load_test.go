package qa

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/storybot/storybot/seeds"
)

func TestSeedTitles(t *testing.T) {
	arts, err := LoadFS(seeds.FS)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Source{
		"000_be6010e57ecbeba8": {Title: "Russia's Putin and Syria's Sharaa hold first call since Assad fall"},
		"001_1f6d41212d17fafc": {Title: "Russian President Vladimir Putin held a phone call with Syrian President Ahmad…"},
		"002_ee726104392a81b5": {Title: "Syria Leader Stresses ‘Strong Strategic Ties’ in Call With Russia’s Putin", Outlet: "The Moscow Times"},
		"004_a237489d949624d0": {Title: "Putin talks to new Syrian leadership – Kremlin"},
	}
	if len(arts) != 5 {
		t.Fatalf("LoadFS(seeds) = %d articles, want 5", len(arts))
	}
	for _, a := range arts {
		w, ok := want[a.ID]
		if !ok {
			continue
		}
		if a.Title != w.Title || a.Outlet != w.Outlet {
			t.Errorf("%s: title, outlet = %q, %q; want %q, %q", a.ID, a.Title, a.Outlet, w.Title, w.Outlet)
		}
	}
}

func TestParseArticleHeader(t *testing.T) {
	a, err := ParseArticle("x", []byte("---\ntitle: A Title\noutlet: The Daily\nurl: https://example.com\n---\nBody sentence one here.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "A Title" || a.Outlet != "The Daily" || a.Text != "Body sentence one here.\n" {
		t.Errorf("ParseArticle = %+v", a)
	}
	if _, err := ParseArticle("x", []byte("---\ntitle: never closed\nText.")); err == nil || !strings.HasPrefix(err.Error(), ":1:") {
		t.Errorf("unclosed header: err = %v, want one at :1:", err)
	}
	if _, err := ParseArticle("x", []byte("---\ntitle ok\n---\nText.")); err == nil || !strings.HasPrefix(err.Error(), ":2:") {
		t.Errorf("bad header line: err = %v, want one at :2:", err)
	}
}

// TestHeaderDateAndURL checks the date: and url: header keys: carried into
// the article, its source and the index's list of sources; a bad one is an
// error that names the line, and the url's error does not repeat it.
func TestHeaderDateAndURL(t *testing.T) {
	a, err := ParseArticle("x", []byte("---\ntitle: T\ndate: 2025-02-12\nurl: https://example.com/a?b=c\n---\nBody sentence one here.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Date != "2025-02-12" || a.URL != "https://example.com/a?b=c" {
		t.Errorf("date, url = %q, %q", a.Date, a.URL)
	}
	ix, err := NewIndex([]Article{a})
	if err != nil {
		t.Fatal(err)
	}
	if s := ix.Sources()[0]; s.Date != "2025-02-12" || s.URL != a.URL {
		t.Errorf("Sources()[0] = %+v, want the date and url", s)
	}
	if res := ask(t, ix, "body sentence"); !res.Answered() || res.Answers[0].Source.URL != a.URL {
		t.Errorf("answer source = %+v, want the url", res)
	}
	for _, bad := range []struct{ header, line string }{
		{"date: 12/02/2025", ":3:"},
		{"date: 2025-02-30", ":3:"},
		{"date: 2025-2-12", ":3:"},
		{"url: example.com/a", ":3:"},
		{"url: ftp://example.com/a", ":3:"},
		{"url: https://", ":3:"},
	} {
		_, err := ParseArticle("x", []byte("---\ntitle: T\n"+bad.header+"\n---\nText.\n"))
		if err == nil || !strings.HasPrefix(err.Error(), bad.line) {
			t.Errorf("%q: err = %v, want one at %s", bad.header, err, bad.line)
			continue
		}
		if strings.HasPrefix(bad.header, "url") && strings.Contains(err.Error(), "example") {
			t.Errorf("%q: err = %v repeats the address", bad.header, err)
		}
	}
	fsys := fstest.MapFS{"a.txt": {Data: []byte("---\ndate: yesterday\n---\nText here.\n")}}
	if _, err := LoadFS(fsys); err == nil || !strings.HasPrefix(err.Error(), "a.txt:2: ") {
		t.Errorf("LoadFS with a bad date: err = %v, want it to start a.txt:2: ", err)
	}
	if a, err := ParseArticle("x", []byte("No header, so no date.\n")); err != nil || a.Date != "" || a.URL != "" {
		t.Errorf("no header: %+v, %v", a, err)
	}
}

func TestFurniture(t *testing.T) {
	furniture := []string{
		"Support The Moscow Times!",
		"kremlin.ru",
		"4 hours ago 3",
		"Chattythat Icon",
		"Read Entire Article",
		"Sign up for our free weekly newsletter",
		"Our weekly newsletter contains a hand-picked selection of news. You will receive it every Friday.",
		"Subscribers agree to the Privacy Policy",
		"If you can, please support us monthly starting from just $2.",
		"Photo: Sergei Karpukhin / Reuters",
		"Click here to read the full report on the talks",
		"Know more: Envoy criticized the sanctions on Tuesday.",
		"READ ALSO: Talks resume in Geneva",
		"Related: What the new leaders want",
	}
	for _, line := range furniture {
		if !isFurniture(line) {
			t.Errorf("isFurniture(%q) = false, want true", line)
		}
	}
	text := []string{
		"Putin talks to new Syrian leadership – Kremlin",
		"'Building a new Syria'",
		"Russia has an air base in Hmeimim and a naval base in Tartous.",
		"The charity received donations from several Gulf states last year.",
		"Support for the measure grew in the Duma after the vote.",
		"More: the envoy said talks would go on.",
		"Peskov said: \"We are ready.\"",
		"Watch the talks closely: the envoy said they matter.",
	}
	for _, line := range text {
		if isFurniture(line) {
			t.Errorf("isFurniture(%q) = true, want false", line)
		}
	}
}

func TestAppealRunsToTheEnd(t *testing.T) {
	text := "Headline of the story here\nThe first real sentence of the story.\nA Message from The Daily:\nDear readers,\nWe are facing unprecedented challenges.\nThank you for standing with us.\n"
	var got []string
	paras, appeal := paragraphs(text)
	for _, p := range paras {
		got = append(got, text[p.start:p.end])
	}
	want := []string{"Headline of the story here", "The first real sentence of the story.",
		"We are facing unprecedented challenges.", "Thank you for standing with us."}
	if strings.Join(got, "|") != strings.Join(want, "|") || appeal != 2 {
		t.Errorf("paragraphs = %q, appeal from %d; want %q, appeal from 2", got, appeal, want)
	}
}

func TestLoadDirErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadDir(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing folder: err = %v", err)
	}
	if _, err := LoadDir(dir); !errors.Is(err, ErrNoArticles) {
		t.Errorf("empty folder: err = %v, want ErrNoArticles", err)
	}
	write("notes.md", "not an article")
	if _, err := LoadDir(dir); !errors.Is(err, ErrNoArticles) {
		t.Errorf("folder without .txt: err = %v, want ErrNoArticles", err)
	}
	write("good.txt", "A sentence that is fine to answer from.\n")
	write("latin1.txt", "First line is fine.\nCaf\xe9 society.\n")
	_, err := LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "latin1.txt:2:") {
		t.Errorf("non-UTF-8 file: err = %v, want it to name latin1.txt:2", err)
	}
	os.Remove(filepath.Join(dir, "latin1.txt"))
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "broken.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "broken.txt") {
		t.Errorf("unreadable file: err = %v, want it to name broken.txt", err)
	}
	os.Remove(filepath.Join(dir, "broken.txt"))
	arts, err := LoadDir(dir)
	if err != nil || len(arts) != 1 || arts[0].ID != "good" {
		t.Errorf("LoadDir = %v, %v; want the one good article", arts, err)
	}
}

func TestLoadFSSkipsNonArticles(t *testing.T) {
	fsys := fstest.MapFS{
		"b.txt":       {Data: []byte("Second article text is here.")},
		"a.txt":       {Data: []byte("\uFEFFFirst article text is here.\r\n")},
		"README.md":   {Data: []byte("# not an article")},
		"sub/c.txt":   {Data: []byte("In a sub-folder, so not loaded.")},
		"folder.txt/": {},
	}
	arts, err := LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 || arts[0].ID != "a" || arts[1].ID != "b" || arts[0].Text != "First article text is here.\n" {
		t.Errorf("LoadFS = %+v, want a then b, BOM and CR removed", arts)
	}
}

// TestLoadDirWarns checks that what loading passes over is said, once,
// naming the file, and that a file of NUL bytes is refused as not text.
func TestLoadDirWarns(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.txt", "---\ntitle: Good\nauthor: Someone\n---\nA sentence that is fine to answer from.\n")
	if err := os.Mkdir(filepath.Join(dir, "older"), 0o755); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	arts, err := LoadDirWarn(dir, func(m string) { warnings = append(warnings, m) })
	if err != nil || len(arts) != 1 {
		t.Fatalf("LoadDirWarn = %d articles, %v", len(arts), err)
	}
	want := []string{
		"older: a folder: not read (articles are the .txt files at the top of the corpus)",
		`good.txt:3: header key "author" is not used (title, outlet, url and date are)`,
	}
	if strings.Join(warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}
	write("zeros.txt", "\x00\x00\x00\x00")
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "zeros.txt:1: not text") {
		t.Errorf("a file of NUL bytes: err = %v, want it refused, named", err)
	}
	os.Remove(filepath.Join(dir, "zeros.txt"))
	write("empty.txt", "\n\n")
	write("good.txt", "\n")
	arts, _ = LoadDir(dir)
	if _, err := NewIndex(arts); !errors.Is(err, ErrNoSentences) || !errors.Is(err, ErrNoArticles) ||
		err.Error() != "no .txt articles with a sentence to answer from" {
		t.Errorf("no sentence anywhere: err = %v", err)
	}
}

// TestAppealAnswersButIsNoStory checks that what the publisher's appeal
// says can be asked about, while the story's summary, timeline and who's
// who leave it out.
func TestAppealAnswersButIsNoStory(t *testing.T) {
	ix := memIndex(t, "Harbour tolls to end\nThe harbour tolls will end in spring, Mayor Carl Dahl said on Monday.\n"+
		"A Message from The Daily:\nDear readers,\nThe Daily has been designated a foreign agent by the Ministry of Truth, said editor Jon Hale on Monday.\n"+
		"Please support us monthly, starting from just $2.\n")
	res := ask(t, ix, "who designated the daily a foreign agent")
	if !res.Answered() || !strings.Contains(res.Answers[0].Text, "Ministry of Truth") {
		t.Errorf("Ask(who designated the daily a foreign agent) = %v, want the appeal's sentence", res)
	}
	for _, a := range ix.Summary() {
		if strings.Contains(a.Text, "Truth") || strings.Contains(a.Text, "support us") {
			t.Errorf("summary quotes the appeal: %q", a.Text)
		}
	}
	for _, e := range ix.Timeline() {
		if strings.Contains(e.Text, "Truth") {
			t.Errorf("timeline quotes the appeal: %q", e.Text)
		}
	}
	for _, p := range ix.People() {
		if strings.Contains(p.Name, "Hale") {
			t.Errorf("who's who names the appeal's %s", p.Name)
		}
	}
}
