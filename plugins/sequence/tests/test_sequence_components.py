"""Unit tests of the sequence plugin's building blocks (no training loop)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from ganforge.errors import GanforgeError
from ganforge_sequence.bleu import ReferenceIndex, bleu, self_bleu
from ganforge_sequence.discriminator import CNNDiscriminator
from ganforge_sequence.generator import LSTMGenerator
from ganforge_sequence.oracle import build_oracle, nll_oracle, nll_test, oracle_samples
from ganforge_sequence.poetry import embedded_poems_path, format_poem, read_poems, split_poems, write_texts
from ganforge_sequence.tokenizer import CharTokenizer, IntegerTokenizer, tokenizer_from_spec


# --- generator -----------------------------------------------------------------------
def test_generator_step_matches_teacher_forcing_and_samples_in_range():
    torch.manual_seed(0)
    gen = LSTMGenerator(11, 6, emb_dim=8, hidden_dim=8, num_layers=2)
    tokens = gen.sample(5, generator=torch.Generator().manual_seed(0))
    assert tokens.shape == (5, 6) and tokens.dtype == torch.long
    assert 0 <= int(tokens.min()) and int(tokens.max()) < 11
    logits = gen(tokens)
    assert logits.shape == (5, 6, 11)
    state, inp = gen.initial_state(5, torch.device("cpu")), gen.start_tokens(5, torch.device("cpu"))
    for t in range(6):
        step_logits, state = gen.step(inp, state)
        torch.testing.assert_close(step_logits, logits[:, t], atol=1e-5, rtol=1e-5)
        inp = tokens[:, t]
    lp = gen.token_log_probs(tokens)
    assert lp.shape == (5, 6) and bool((lp <= 0).all())
    assert gen.nll(tokens).item() == pytest.approx(-lp.mean().item(), rel=1e-6)
    assert gen.mean_nll(tokens, batch_size=2) == pytest.approx(-lp.mean().item(), rel=1e-5)


def test_generator_init_std_and_start_token_checks():
    gen = LSTMGenerator(50, 4, emb_dim=32, hidden_dim=32, init_std=0.1)
    assert gen.embedding.weight.std().item() == pytest.approx(0.1, rel=0.15)
    assert float(gen.lstm.bias_hh_l0.detach().abs().sum()) == 0.0
    with pytest.raises(ValueError, match="start_token 7"):
        LSTMGenerator(5, 4, start_token=7)


# --- oracle ----------------------------------------------------------------------------
def test_oracle_is_seeded_standard_normal_and_frozen():
    a = build_oracle(vocab_size=200, seq_len=8, seed=3)
    b = build_oracle(vocab_size=200, seq_len=8, seed=3)
    c = build_oracle(vocab_size=200, seq_len=8, seed=4)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.output.weight, c.output.weight)
    assert a.output.weight.std().item() == pytest.approx(1.0, rel=0.05)
    assert not any(p.requires_grad for p in a.parameters())
    s1, s2 = oracle_samples(a, 64, seed=1), oracle_samples(a, 64, seed=1)
    assert torch.equal(s1, s2) and s1.shape == (64, 8)


def test_oracle_metrics_rank_the_oracle_above_a_random_generator():
    oracle = build_oracle(vocab_size=40, seq_len=6, emb_dim=8, hidden_dim=8, seed=0)
    test = oracle_samples(oracle, 500, seed=1)
    random_gen = LSTMGenerator(40, 6, emb_dim=8, hidden_dim=8)
    # The oracle's own samples are far likelier under it than a near-uniform generator's.
    own = nll_oracle(oracle, oracle_samples(oracle, 500, seed=2))
    rnd = nll_oracle(oracle, random_gen.sample(500, generator=torch.Generator().manual_seed(0)))
    assert own < rnd - 1.0
    # A near-uniform generator has NLL_test close to log(V).
    assert nll_test(random_gen, test) == pytest.approx(torch.log(torch.tensor(40.0)).item(), abs=0.2)


def test_mle_training_lowers_nll_on_tiny_oracle():
    torch.manual_seed(0)
    oracle = build_oracle(vocab_size=30, seq_len=6, emb_dim=8, hidden_dim=8, seed=0)
    train, test = oracle_samples(oracle, 512, seed=1), oracle_samples(oracle, 256, seed=2)
    gen = LSTMGenerator(30, 6, emb_dim=16, hidden_dim=16)
    opt = torch.optim.Adam(gen.parameters(), lr=0.01)
    before_test = nll_test(gen, test)
    before_oracle = nll_oracle(oracle, gen.sample(500, generator=torch.Generator().manual_seed(0)))
    for _ in range(8):
        for batch in torch.split(train, 64):
            loss = gen.nll(batch)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(gen.parameters(), 5.0)
            opt.step()
    assert nll_test(gen, test) < before_test - 0.5
    assert nll_oracle(oracle, gen.sample(500, generator=torch.Generator().manual_seed(0))) < before_oracle - 0.5


# --- discriminator ---------------------------------------------------------------------
def test_discriminator_shapes_penalty_and_learning():
    torch.manual_seed(0)
    d = CNNDiscriminator(12, 8, emb_dim=8, filter_sizes=[1, 3, 8], num_filters=[4, 4, 4], dropout=0.25, l2_reg=0.2)
    real = torch.randint(0, 6, (64, 8))  # "real" sequences use the low half of the vocabulary
    fake = torch.randint(6, 12, (64, 8))
    out = d(real)
    assert out.shape == (64,) and out.dtype == torch.float32
    w, b = d.classifier.weight, d.classifier.bias
    assert d.l2_penalty().item() == pytest.approx(0.1 * (w.pow(2).sum() + b.pow(2).sum()).item())
    z = d.class_logits(real)
    d.eval()
    torch.testing.assert_close(torch.sigmoid(d(real)), torch.softmax(d.class_logits(real), 1)[:, 1])
    d.train()
    assert z.shape == (64, 2)
    opt = torch.optim.Adam(d.parameters(), lr=1e-2)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    losses = []
    for _ in range(30):
        loss = bce(d(real), torch.ones(64)) + bce(d(fake), torch.zeros(64)) + d.l2_penalty()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_discriminator_rejects_filters_wider_than_sequence():
    with pytest.raises(GanforgeError, match=r"filter_sizes: widths \[20\] do not fit sequences of length 8"):
        CNNDiscriminator(10, 8, filter_sizes=[2, 20], num_filters=[3, 3])
    with pytest.raises(GanforgeError, match="same length"):
        CNNDiscriminator(10, 8, filter_sizes=[2, 3], num_filters=[3])


# --- tokenizers --------------------------------------------------------------------------
def test_char_tokenizer_roundtrip_unknowns_and_spec():
    tok = CharTokenizer.build(["白日依山盡，", "黃 河 入 海 流 。", "白日"])
    assert tok.tokens[:2] == ["<pad>", "<unk>"] and tok.tokens[2] in "白日"
    ids = tok.encode("白日依山盡，", length=8)
    assert len(ids) == 8 and ids[-2:] == [0, 0]
    assert tok.decode(ids) == "白日依山盡，"
    assert tok.decode(tok.encode("白雲")) == "白□"
    assert " " not in tok.tokens
    again = tokenizer_from_spec(tok.to_spec())
    assert again.tokens == tok.tokens and again.vocab_size == tok.vocab_size


def test_integer_tokenizer_and_spec_errors():
    tok = IntegerTokenizer(10)
    assert tok.encode("3 4 9") == [3, 4, 9] and tok.decode([3, 4, 9]) == "3 4 9"
    assert tokenizer_from_spec(tok.to_spec()).vocab_size == 10
    with pytest.raises(GanforgeError, match="token '12' is not an integer in 0..9"):
        tok.encode("1 12")
    with pytest.raises(GanforgeError, match="unknown tokenizer kind 'bpe'; valid choices: char, integer"):
        tokenizer_from_spec({"kind": "bpe"})


# --- poetry data -------------------------------------------------------------------------
def test_embedded_corpus_has_3000_quatrains_and_attribution():
    poems = read_poems(None)
    assert len(poems) == 3000
    assert all(len(p) == 24 for p in poems)
    attribution = (embedded_poems_path().parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "MIT License" in attribution and "JackeyGao" in attribution


def test_read_poems_file_folder_and_errors(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("白 日 依 山 盡 ，\n\n  \n", encoding="utf-8")
    (tmp_path / "a" / "two.txt").write_text("黃河入海流。\n", encoding="utf-8")
    assert read_poems(tmp_path / "a") == ["白日依山盡，", "黃河入海流。"]
    assert read_poems(tmp_path / "a" / "two.txt") == ["黃河入海流。"]
    with pytest.raises(GanforgeError, match=r"data.path: '.*missing' does not exist; expected a UTF-8 text file"):
        read_poems(tmp_path / "missing")
    bad = tmp_path / "bad.txt"
    bad.write_bytes("好\n".encode() + b"\xff\xfe\n")
    with pytest.raises(GanforgeError, match=r"bad.txt: line 2 is not valid UTF-8"):
        read_poems(bad)
    (tmp_path / "empty").mkdir()
    with pytest.raises(GanforgeError, match="has no .txt file"):
        read_poems(tmp_path / "empty")
    (tmp_path / "blank.txt").write_text("\n \n", encoding="utf-8")
    with pytest.raises(GanforgeError, match="holds no poem"):
        read_poems(tmp_path / "blank.txt")


def test_split_is_seeded_and_disjoint():
    poems = [f"p{i}" for i in range(100)]
    train, test = split_poems(poems, 0.1, seed=0)
    assert len(test) == 10 and len(train) == 90 and not set(train) & set(test)
    assert split_poems(poems, 0.1, seed=0) == (train, test)
    assert split_poems(poems, 0.1, seed=1)[1] != test
    with pytest.raises(GanforgeError, match="data.test_fraction: 1.5"):
        split_poems(poems, 1.5, seed=0)


def test_exported_poems_have_four_lines_of_five_characters(tmp_path):
    poems = read_poems(None)[:50]
    paths = write_texts([format_poem(p) for p in poems], tmp_path, "poems", individual=True)
    assert len(paths) == 50
    for path in paths:
        lines = path.read_text(encoding="utf-8").strip().split("\n")
        assert len(lines) == 4
        assert all(len(line) == 6 and len(line[:-1]) == 5 for line in lines)  # 5 characters + a mark
    sheet = write_texts([format_poem(p) for p in poems[:3]], tmp_path, "sheet", individual=False)
    assert sheet == [tmp_path / "sheet.txt"]
    assert len(sheet[0].read_text(encoding="utf-8").strip().split("\n\n")) == 3
    # A generated sequence with misplaced marks is still laid out as 4 equal lines.
    assert format_poem("一二三，四五六七八九十甲乙丙丁戊己庚辛壬癸") == "一二三四五\n六七八九十\n甲乙丙丁戊\n己庚辛壬癸"


# --- BLEU ---------------------------------------------------------------------------------
def _random_corpus(rng: random.Random, n: int, vocab: str = "abcdefgh") -> list[list[str]]:
    return [[rng.choice(vocab) for _ in range(rng.randint(4, 9))] for _ in range(n)]


def test_indexed_bleu_equals_nltk_sentence_bleu():
    rng = random.Random(0)
    refs, hyps = _random_corpus(rng, 40), _random_corpus(rng, 25)
    smooth = SmoothingFunction().method1
    for n in (2, 3):
        index = ReferenceIndex(refs, n)
        w = tuple([1.0 / n] * n)
        for h in hyps:
            assert index.sentence_bleu(h, n) == pytest.approx(sentence_bleu(refs, h, w, smooth), abs=1e-12)
    expected = sum(sentence_bleu(refs, h, (0.5, 0.5), smooth) for h in hyps) / len(hyps)
    assert bleu(hyps, refs, 2) == pytest.approx(expected, abs=1e-12)


def test_self_bleu_equals_nltk_against_the_other_samples():
    rng = random.Random(1)
    samples = _random_corpus(rng, 30, vocab="abcd")
    smooth = SmoothingFunction().method1
    expected = [
        sentence_bleu(samples[:i] + samples[i + 1 :], samples[i], (0.5, 0.5), smooth) for i in range(len(samples))
    ]
    assert self_bleu(samples, 2, max_hypotheses=None) == pytest.approx(sum(expected) / 30, abs=1e-12)
    sub = sorted(random.Random(5).sample(range(30), 10))
    assert self_bleu(samples, 2, max_hypotheses=10, seed=5) == pytest.approx(
        sum(expected[i] for i in sub) / 10, abs=1e-12
    )
    assert self_bleu([["x", "y", "z"]] * 3) == pytest.approx(1.0)


def test_bleu_of_test_set_against_itself_is_one():
    _, test = split_poems(read_poems(None), 0.1, seed=0)
    chars = [list(p) for p in test]
    assert bleu(chars, chars, 2) == pytest.approx(1.0)
    # Shuffled characters share unigrams but few bigrams: clearly below 1.
    shuffled = [random.Random(i).sample(c, len(c)) for i, c in enumerate(chars[:50])]
    assert bleu(shuffled, chars, 2) < 0.9


SHARED_POETRY = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "poetry"


def test_reads_the_seqgan_corpus_with_space_separated_characters():
    shi = SHARED_POETRY / "seqgan_shi.txt"
    if not shi.is_file():
        pytest.skip("../shared/data/poetry/seqgan_shi.txt not present")
    poems = read_poems(shi)
    assert len(poems) == 16394 and {len(p) for p in poems} == {24}
    tok = CharTokenizer.build(poems)
    assert tok.vocab_size == 4771 + 2  # the 4,771 token types of the corpus + <pad>, <unk>
