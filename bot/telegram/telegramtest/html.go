package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Entity is a formatting entity of a parsed message, in UTF-16 code units
// as the Bot API counts them.
type Entity struct {
	Type   string
	Offset int
	Length int
}

var tagEntity = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"tg-spoiler": "spoiler", "span": "spoiler",
	"a":          "text_link",
	"code":       "code",
	"pre":        "pre",
	"blockquote": "blockquote",
	"tg-emoji":   "custom_emoji",
}

// ParseHTML parses s as the Bot API's HTML parse mode does, and returns the
// text a reader sees and its entities. Like the Bot API it refuses unknown
// tags, unclosed or crossed tags, a bare '<' or '&', and unknown named
// entities.
func ParseHTML(s string) (string, []Entity, error) {
	var out []uint16
	type open struct {
		name  string
		start int
	}
	var stack []open
	var ents []Entity
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return "", nil, fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+j]
			i += j + 1
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 || stack[len(stack)-1].name != name {
					return "", nil, fmt.Errorf("unmatched end tag %q", name)
				}
				o := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				ents = append(ents, Entity{Type: tagEntity[name], Offset: o.start, Length: len(out) - o.start})
				continue
			}
			name, attrs, _ := strings.Cut(tag, " ")
			name = strings.ToLower(name)
			if _, ok := tagEntity[name]; !ok {
				return "", nil, fmt.Errorf("unsupported start tag %q", name)
			}
			if name == "span" && !strings.Contains(attrs, `class="tg-spoiler"`) {
				return "", nil, fmt.Errorf("span without class tg-spoiler")
			}
			if strings.ContainsAny(attrs, "<") {
				return "", nil, fmt.Errorf("bad attribute in tag %q", name)
			}
			if name == "blockquote" {
				for _, o := range stack {
					if o.name == "blockquote" {
						return "", nil, fmt.Errorf("nested blockquote")
					}
				}
			}
			stack = append(stack, open{name, len(out)})
		case '&':
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				return "", nil, fmt.Errorf("unclosed character entity at byte offset %d", i)
			}
			ent := s[i+1 : i+j]
			i += j + 1
			var r rune
			switch {
			case ent == "lt":
				r = '<'
			case ent == "gt":
				r = '>'
			case ent == "amp":
				r = '&'
			case ent == "quot":
				r = '"'
			case strings.HasPrefix(ent, "#x") || strings.HasPrefix(ent, "#X"):
				n, err := strconv.ParseUint(ent[2:], 16, 32)
				if err != nil {
					return "", nil, fmt.Errorf("bad character entity %q", ent)
				}
				r = rune(n)
			case strings.HasPrefix(ent, "#"):
				n, err := strconv.ParseUint(ent[1:], 10, 32)
				if err != nil {
					return "", nil, fmt.Errorf("bad character entity %q", ent)
				}
				r = rune(n)
			default:
				return "", nil, fmt.Errorf("unsupported HTML entity %q", ent)
			}
			out = utf16.AppendRune(out, r)
		case '>':
			return "", nil, fmt.Errorf("bare '>' at byte offset %d", i)
		default:
			r, size := decodeRune(s[i:])
			out = utf16.AppendRune(out, r)
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("unclosed tag %q", stack[len(stack)-1].name)
	}
	return string(utf16.Decode(out)), ents, nil
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// Length is the length of s in UTF-16 code units, as the Bot API counts.
func Length(s string) int { return len(utf16.Encode([]rune(s))) }

// Slice returns the n UTF-16 code units of s at offset off, for entities.
func Slice(s string, off, n int) string {
	u := utf16.Encode([]rune(s))
	if off > len(u) {
		return ""
	}
	end := min(off+n, len(u))
	return string(utf16.Decode(u[off:end]))
}
