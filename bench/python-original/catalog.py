"""CatalogService of the Python original, as its demo runs it: FastAPI under uvicorn, one worker,
state kept in dicts. Its order endpoint makes no real call downstream: stock and prices are
dicts of its own. Only here to be measured beside the Rust catalog-service by scripts/bench.sh."""

import itertools

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="CatalogService")


class OrderRequest(BaseModel):
    item_id: int
    quantity: int


class Order(BaseModel):
    order_id: int
    item_id: int
    quantity: int
    total_price: int


PRICES = {1: 1299, 2: 850, 3: 4500}
# Large enough that a benchmark never runs out.
STOCK = {1: 1_000_000_000, 2: 25, 3: 5}
ORDERS: dict[int, Order] = {}
ORDER_IDS = itertools.count(1)


@app.post("/order", response_model=Order)
async def order(request: OrderRequest) -> Order:
    if request.quantity < 1:
        raise HTTPException(status_code=422, detail="quantity must be at least 1")
    if request.item_id not in PRICES or request.item_id not in STOCK:
        raise HTTPException(status_code=404, detail=f"item {request.item_id} does not exist")
    if STOCK[request.item_id] < request.quantity:
        raise HTTPException(status_code=400, detail="insufficient stock")
    STOCK[request.item_id] -= request.quantity
    placed = Order(
        order_id=next(ORDER_IDS),
        item_id=request.item_id,
        quantity=request.quantity,
        total_price=PRICES[request.item_id] * request.quantity,
    )
    ORDERS[placed.order_id] = placed
    return placed
