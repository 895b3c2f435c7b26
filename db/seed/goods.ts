// The demo stores' goods: realistic village-store items with prices in points and costs in yuan.
// Their pictures are drawn once by scripts/draw-goods.ts into db/seed/goods/<file>.webp.
export interface DemoGood {
  name: string;
  label: string;
  file: string;
  category: string;
  unit: string;
  price: number;
  cost: number; // yuan
  limit: number | null;
  shape: string;
  color: string;
}

export const DEMO_GOODS: DemoGood[] = [
  { name: "大米（10斤）", label: "大米", file: "rice", category: "粮油", unit: "袋", price: 50, cost: 28, limit: 2, shape: "bag", color: "#e8d9b0" },
  { name: "面粉（10斤）", label: "面粉", file: "flour", category: "粮油", unit: "袋", price: 40, cost: 22, limit: 2, shape: "bag", color: "#f2efe6" },
  { name: "食用油（5升）", label: "食用油", file: "oil", category: "粮油", unit: "桶", price: 80, cost: 55, limit: 1, shape: "jug", color: "#f4c430" },
  { name: "挂面", label: "挂面", file: "noodles", category: "粮油", unit: "包", price: 10, cost: 5, limit: null, shape: "box", color: "#ffcc80" },
  { name: "酱油", label: "酱油", file: "soy", category: "调味", unit: "瓶", price: 12, cost: 7.5, limit: null, shape: "bottle", color: "#5d4037" },
  { name: "米醋", label: "米醋", file: "vinegar", category: "调味", unit: "瓶", price: 10, cost: 6, limit: null, shape: "bottle", color: "#8d6e63" },
  { name: "食盐", label: "食盐", file: "salt", category: "调味", unit: "袋", price: 4, cost: 2, limit: null, shape: "bag", color: "#90caf9" },
  { name: "白糖", label: "白糖", file: "sugar", category: "调味", unit: "袋", price: 12, cost: 6.5, limit: null, shape: "bag", color: "#f8bbd0" },
  { name: "鸡精", label: "鸡精", file: "msg", category: "调味", unit: "袋", price: 8, cost: 4.5, limit: null, shape: "bag", color: "#ffb300" },
  { name: "洗衣粉", label: "洗衣粉", file: "detergent", category: "日用", unit: "袋", price: 15, cost: 9, limit: 3, shape: "bag", color: "#42a5f5" },
  { name: "洗洁精", label: "洗洁精", file: "dishsoap", category: "日用", unit: "瓶", price: 15, cost: 8.5, limit: null, shape: "bottle", color: "#66bb6a" },
  { name: "卷纸（10卷）", label: "卷纸", file: "tissue", category: "日用", unit: "提", price: 25, cost: 15, limit: 2, shape: "roll", color: "#e3f2fd" },
  { name: "毛巾", label: "毛巾", file: "towel", category: "日用", unit: "条", price: 12, cost: 6, limit: null, shape: "towel", color: "#ef9a9a" },
  { name: "垃圾袋", label: "垃圾袋", file: "binbags", category: "日用", unit: "卷", price: 6, cost: 3, limit: null, shape: "roll", color: "#212121" },
  { name: "电池（4节）", label: "电池", file: "battery", category: "日用", unit: "板", price: 10, cost: 6, limit: null, shape: "box", color: "#fdd835" },
  { name: "牙膏", label: "牙膏", file: "toothpaste", category: "洗护", unit: "支", price: 12, cost: 7, limit: 2, shape: "tube", color: "#e53935" },
  { name: "牙刷", label: "牙刷", file: "toothbrush", category: "洗护", unit: "支", price: 5, cost: 2.5, limit: null, shape: "box", color: "#4dd0e1" },
  { name: "香皂", label: "香皂", file: "soap", category: "洗护", unit: "块", price: 8, cost: 4, limit: null, shape: "bar", color: "#ce93d8" },
  { name: "洗发水", label: "洗发水", file: "shampoo", category: "洗护", unit: "瓶", price: 30, cost: 18, limit: 1, shape: "bottle", color: "#7e57c2" },
  { name: "鸡蛋（30枚）", label: "鸡蛋", file: "eggs", category: "副食", unit: "盒", price: 35, cost: 22, limit: 2, shape: "eggs", color: "#fff3e0" },
  { name: "红枣", label: "红枣", file: "dates", category: "副食", unit: "袋", price: 20, cost: 12, limit: null, shape: "bag", color: "#b71c1c" },
  { name: "挂历", label: "挂历", file: "calendar", category: "其他", unit: "本", price: 15, cost: 8, limit: 1, shape: "box", color: "#c62828" },
];
