package lexicon

import (
	"strings"
	"testing"
)

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		word string
		want float64
	}{
		{"zero", 0}, {"three", 3}, {"Three", 3}, {"ten", 10}, {"twelve", 12},
		{"twenty", 20}, {"twenty-five", 25}, {"Ninety-Nine", 99},
		{"hundred", 100}, {"dozen", 12}, {"thousand", 1000}, {"million", 1e6},
		{"billion", 1e9},
		{"first", 1}, {"second", 2}, {"twelfth", 12}, {"twentieth", 20},
		{"twenty-first", 21}, {"hundredth", 100}, {"millionth", 1e6},
		{"one-hundred", 100}, {"three-hundred", 300},
		{"3", 3}, {"1,000", 1000}, {"2,500,000", 2.5e6}, {"3.5", 3.5},
		{"1st", 1}, {"22nd", 22}, {"13th", 13}, {"101st", 101}, {"2024", 2024},
	} {
		got, ok := Number(tc.word)
		if !ok || got != tc.want {
			t.Errorf("Number(%q) = %v, %v, want %v, true", tc.word, got, ok, tc.want)
		}
	}
	for _, w := range []string{"", "a", "an", "and", "five-year", "twenty-", "-five",
		"twenty-twenty", "one-one", "hundreds", "thousands", "1,00", "12,3456", "1.", ".5",
		"1th", "2st", "3.5th", "1990s", "people", "tenth-grade", "fifty-first-rate"} {
		if got, ok := Number(w); ok {
			t.Errorf("Number(%q) = %v, true, want false", w, got)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		text  string
		want  float64
		words int // how many words the number takes
	}{
		{"two hundred thousand people", 200000, 3},
		{"two hundred and five", 205, 4},
		{"a hundred", 100, 2},
		{"a dozen eggs", 12, 2},
		{"two dozen", 24, 2},
		{"three million", 3e6, 2},
		{"2.5 million dollars", 2.5e6, 2},
		{"one hundred twenty-five thousand", 125000, 4},
		{"two thousand five hundred and one", 2501, 6},
		{"twenty five", 25, 2},
		{"twenty first century", 21, 2},
		{"nineteen hundred", 1900, 2},
		{"three hours", 3, 1},
		{"five-year plan", 0, 0},
		{"first second", 1, 1},   // an ordinal ends the number
		{"one one", 1, 1},        // two units do not add up
		{"twenty twenty", 20, 1}, // nor two tens
		{"thousand million", 1000, 1},
		{"two hundred and", 200, 2}, // "and" with nothing after is not taken
		{"a", 0, 0},
		{"a lot", 0, 0},
		{"and five", 0, 0},
		{"5 3", 5, 1},
		{"", 0, 0},
	} {
		got, n := Numbers(strings.Fields(tc.text))
		if got != tc.want || n != tc.words {
			t.Errorf("Numbers(%q) = %v, %d words, want %v, %d", tc.text, got, n, tc.want, tc.words)
		}
	}
}

func TestNumbersFile(t *testing.T) {
	m, err := parseNumbers(numbersTxt)
	if err != nil {
		t.Fatal(err)
	}
	// The words that qa reads as numbers must be in the list.
	for _, w := range []string{"one", "ten", "twenty", "hundred", "thousand", "million", "first", "dozen"} {
		if _, ok := m[w]; !ok {
			t.Errorf("numbers.txt lacks %q", w)
		}
	}
	for _, bad := range []string{"one 1", "one x unit", "one 1 bogus", "one 1 unit ord extra", "one 1 unit\none 1 unit", "Two 2 unit", "twenty-one 21 ten"} {
		if _, err := parseNumbers(bad); err == nil {
			t.Errorf("parseNumbers(%q) succeeded, want an error", bad)
		}
	}
}
