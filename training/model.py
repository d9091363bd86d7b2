"""A small BERT-style encoder for intent classification.

Token embeddings live in the pretrained word-vector space (100 d) and are
projected to the model width (a factorised embedding, as in ALBERT), so the
pretrained vectors can be used as they are and the vocabulary stays cheap.
The forward pass returns everything the explainers need: logits, every layer's
attention probabilities and the pooled sentence embedding.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import List, Tuple

import torch
from torch import nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    vocab_size: int
    num_labels: int
    embedding_size: int = 100
    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 256
    max_position_embeddings: int = 128
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    embedding_dropout_prob: float = 0.1
    layer_norm_eps: float = 1e-12
    # "Wide" path: a linear model over word pieces and hashed word-piece bigrams
    # whose class scores are added to the encoder's (0 buckets = off).
    wide_bigram_buckets: int = 0
    # Hashed word-piece trigrams in the wide path (0 = off; needs the wide path on).
    wide_trigram_buckets: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


class SelfAttention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.heads = cfg.num_attention_heads
        self.head_dim = cfg.hidden_size // cfg.num_attention_heads
        self.qkv = nn.Linear(cfg.hidden_size, 3 * cfg.hidden_size)
        self.out = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.drop = nn.Dropout(cfg.attention_probs_dropout_prob)

    def forward(self, x: torch.Tensor, mask_bias: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + mask_bias
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(self.drop(probs), v).transpose(1, 2).reshape(b, t, d)
        return self.out(ctx), probs


class Layer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.attn = SelfAttention(cfg)
        self.ln1 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.ff1 = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.ff2 = nn.Linear(cfg.intermediate_size, cfg.hidden_size)
        self.ln2 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.drop = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, x, mask_bias):
        a, probs = self.attn(x, mask_bias)
        x = self.ln1(x + self.drop(a))
        h = self.ff2(F.gelu(self.ff1(x)))
        return self.ln2(x + self.drop(h)), probs


class IntentEncoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.embedding_size, padding_idx=0)
        self.emb_proj = nn.Linear(cfg.embedding_size, cfg.hidden_size)
        self.pos_emb = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.emb_ln = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.emb_drop = nn.Dropout(cfg.embedding_dropout_prob)
        self.layers = nn.ModuleList([Layer(cfg) for _ in range(cfg.num_hidden_layers)])
        self.cls_drop = nn.Dropout(cfg.hidden_dropout_prob)
        self.classifier = nn.Linear(cfg.hidden_size, cfg.num_labels)
        self.apply(self._init)
        if cfg.wide_bigram_buckets > 0:
            self.wide_uni = nn.Embedding(cfg.vocab_size, cfg.num_labels)
            self.wide_bi = nn.Embedding(cfg.wide_bigram_buckets, cfg.num_labels)
            nn.init.zeros_(self.wide_uni.weight)
            nn.init.zeros_(self.wide_bi.weight)
            if cfg.wide_trigram_buckets > 0:
                self.wide_tri = nn.Embedding(cfg.wide_trigram_buckets, cfg.num_labels)
                nn.init.zeros_(self.wide_tri.weight)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, List[torch.Tensor]]:
        """Returns (logits, sentence_embedding, [attention probs per layer])."""
        t = input_ids.shape[1]
        pos = torch.arange(t, device=input_ids.device).unsqueeze(0)
        x = self.emb_proj(self.emb_drop(self.tok_emb(input_ids))) + self.pos_emb(pos)
        x = self.emb_drop(self.emb_ln(x))
        mask = attention_mask.to(x.dtype)
        mask_bias = (1.0 - mask)[:, None, None, :] * -10000.0
        attentions = []
        for layer in self.layers:
            x, probs = layer(x, mask_bias)
            attentions.append(probs)
        # Masked mean pooling: every token the user typed contributes.
        m = mask.unsqueeze(-1)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        logits = self.classifier(self.cls_drop(pooled))
        if self.cfg.wide_bigram_buckets > 0:
            logits = logits + self.wide_logits(input_ids, mask)
        return logits, pooled, attentions

    # Odd multiplier for hashing bigrams of ids into buckets (ids are < 2**20).
    BIGRAM_HASH = 1000003

    def wide_logits(self, input_ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        uni = (self.wide_uni(input_ids) * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        pair_mask = (mask[:, :-1] * mask[:, 1:]).unsqueeze(-1)
        h = torch.remainder(input_ids[:, :-1] * self.BIGRAM_HASH + input_ids[:, 1:], self.cfg.wide_bigram_buckets)
        bi = (self.wide_bi(h) * pair_mask).sum(1) / pair_mask.sum(1).clamp(min=1.0)
        if self.cfg.wide_trigram_buckets <= 0:
            return uni + bi
        # ids < 2**20, so the hash stays below 2**61 in int64 before the remainder.
        tri_mask = (mask[:, :-2] * mask[:, 1:-1] * mask[:, 2:]).unsqueeze(-1)
        h3 = torch.remainder((input_ids[:, :-2] * self.BIGRAM_HASH + input_ids[:, 1:-1]) * self.BIGRAM_HASH + input_ids[:, 2:], self.cfg.wide_trigram_buckets)
        tri = (self.wide_tri(h3) * tri_mask).sum(1) / tri_mask.sum(1).clamp(min=1.0)
        return uni + bi + tri


class ExportWrapper(nn.Module):
    """Flattens the outputs for ONNX: logits, attention_0..N-1, sentence_embedding."""

    def __init__(self, model: IntentEncoder):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        logits, pooled, attentions = self.model(input_ids, attention_mask)
        return (logits, *attentions, pooled)


class Ensemble(nn.Module):
    """Several encoders trained with different seeds on the same data, exported as
    one graph: logits are the mean of the members' logits, the sentence embedding
    is the concatenation of the members' L2-normalised embeddings divided by
    sqrt(members) (so its cosine similarity is the members' mean cosine), and the
    attentions are every member's layers in order (member m, layer l ->
    attention_{m * layers + l})."""

    def __init__(self, members: List[IntentEncoder]):
        super().__init__()
        self.members = nn.ModuleList(members)
        c = members[0].cfg
        self.cfg = ModelConfig(**{**c.to_dict(), "hidden_size": c.hidden_size * len(members), "num_hidden_layers": c.num_hidden_layers * len(members)})
        self.member_cfg = c

    def forward(self, input_ids, attention_mask):
        logits, pooled, attentions = [], [], []
        for m in self.members:
            lg, p, a = m(input_ids, attention_mask)
            logits.append(lg)
            pooled.append(p / p.norm(dim=-1, keepdim=True).clamp(min=1e-12))
            attentions += a
        k = float(len(self.members))
        return torch.stack(logits).mean(0), torch.cat(pooled, -1) / math.sqrt(k), attentions


def round_to_fp16(model: nn.Module) -> None:
    """Round every weight to the nearest float16 value (kept in float32). The
    export then stores weights as float16 + Cast: half the download and the
    ONNX graph computes exactly what this rounded PyTorch model computes."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
