"""AccountingService of the Python original, as its demo runs it: FastAPI under uvicorn, one
worker, prices kept in a dict (no database). Only here to be measured beside the Rust
accounting-service by scripts/bench.sh."""

from typing import Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="AccountingService")


class Price(BaseModel):
    item_id: int
    price: int
    tax: Optional[float] = None


PRICES = {
    1: Price(item_id=1, price=1299, tax=0.2),
    2: Price(item_id=2, price=850, tax=None),
    3: Price(item_id=3, price=4500, tax=0.2),
}


@app.get("/items/{item_id}", response_model=Price)
async def get_price(item_id: int) -> Price:
    price = PRICES.get(item_id)
    if price is None:
        raise HTTPException(status_code=404, detail=f"item {item_id} has no price")
    return price
