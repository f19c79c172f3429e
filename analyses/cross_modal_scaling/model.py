"""One decoder-only transformer family for every modality, after nanoGPT (Karpathy, github.com/karpathy/nanoGPT):
pre-LayerNorm blocks, causal self-attention, a 4× GELU MLP, learned positions, the output head tied to the
token embedding. Sizes differ only in depth and width."""

import dataclasses

import torch
import torch.nn.functional as F
from torch import nn


@dataclasses.dataclass(frozen=True)
class Size:
    layers: int
    width: int

    @property
    def heads(self) -> int:
        return max(1, self.width // 16)      # heads of width 16


class Block(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:          # x: (batch, time, width)
        b, t, w = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(w, dim=2)
        q, k, v = (z.view(b, t, self.heads, w // self.heads).transpose(1, 2) for z in (q, k, v))  # (b, heads, t, hw)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, w)
        x = x + self.proj(y)
        return x + self.mlp(self.norm2(x))


class GPT(nn.Module):
    def __init__(self, size: Size, vocab: int, context: int):
        super().__init__()
        self.size, self.context = size, context
        self.token = nn.Embedding(vocab, size.width)
        self.position = nn.Embedding(context, size.width)
        self.blocks = nn.ModuleList(Block(size.width, size.heads) for _ in range(size.layers))
        self.norm = nn.LayerNorm(size.width)
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:    # tokens: (batch, time) -> logits (batch, time, vocab)
        x = self.token(tokens) + self.position(torch.arange(tokens.shape[1], device=tokens.device))
        for block in self.blocks:
            x = block(x)
        return self.norm(x) @ self.token.weight.T                 # tied head

    def non_embedding_parameters(self) -> int:
        """Parameters other than the token and position embeddings: the N of Kaplan et al. 2020 (§2.1)
        and Henighan et al. 2020."""
        return sum(p.numel() for p in self.parameters()) - self.token.weight.numel() - self.position.weight.numel()

    def training_flops_per_token(self) -> float:
        """6N + 6·layers·context·width: Kaplan et al. 2020, Table 1 (forward 2N + 2·n_layer·n_ctx·d_attn),
        times 3 for the backward pass."""
        n = self.non_embedding_parameters()
        return 6 * n + 6 * self.size.layers * self.context * self.size.width


@torch.no_grad()
def sample(model: GPT, prefix: torch.Tensor, length: int, generator: torch.Generator,
           allowed: slice | None = None) -> torch.Tensor:
    """Extend prefix (batch, t0) by length tokens, drawing each from the softmax at temperature 1.
    allowed restricts the draw to a range of token ids (pixels only, never a class token)."""
    tokens = prefix
    for _ in range(length):
        logits = model(tokens[:, -model.context:])[:, -1]        # (batch, vocab)
        if allowed is not None:
            mask = torch.full_like(logits, -float("inf"))
            mask[:, allowed] = 0
            logits = logits + mask
        probs = logits.float().softmax(-1).cpu()
        tokens = torch.cat([tokens, torch.multinomial(probs, 1, generator=generator).to(tokens.device)], dim=1)
    return tokens[:, prefix.shape[1]:]
