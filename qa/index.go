package qa

// TEMPORARY STUB: replaced by the real index.

import (
	"io/fs"
	"os"
	"strings"
)

type Article struct {
	Source
	Text string
}

func LoadFS(fsys fs.FS) ([]Article, error) {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []Article
	for _, e := range ents {
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		id := strings.TrimSuffix(e.Name(), ".txt")
		out = append(out, Article{Source: Source{ID: id, Title: id}, Text: string(b)})
	}
	return out, nil
}

type Index struct{ arts []Article }

func NewIndex(arts []Article) (*Index, error) { return &Index{arts}, nil }

func (ix *Index) Ask(q string) (Result, error) {
	q = strings.TrimSpace(strings.ToLower(q))
	if q == "" {
		return Result{}, ErrEmptyQuestion
	}
	r := Result{Question: q}
	for _, a := range ix.arts {
		for _, line := range strings.Split(a.Text, "\n") {
			if strings.Contains(strings.ToLower(line), q) {
				r.Answers = append(r.Answers, Answer{Text: line, Score: 1, Source: a.Source})
			}
		}
	}
	return r, nil
}

func (ix *Index) Sources() []SourceInfo {
	var out []SourceInfo
	for _, a := range ix.arts {
		out = append(out, SourceInfo{Source: a.Source, Sentences: strings.Count(a.Text, "\n")})
	}
	return out
}

func LoadDir(dir string) ([]Article, error) { return LoadFS(os.DirFS(dir)) }
