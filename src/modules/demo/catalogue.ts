/**
 * The demo store's catalogue: an outdoor outfitter with eight categories and ~150 products. The
 * catalogue is fixed (the same for every seed) so screenshots and docs can name products.
 * Categories differ in what they do to customers: consumables bring people back, big-ticket gear
 * is bought once, apparel is returned for size.
 */
import { cumulative } from './random.js';

export interface CategorySpec {
  name: string;
  slug: string;
  /** Share of first purchases. */
  popularity: number;
  /** Multiplies a customer's purchase rate when this is their first category. */
  rate: number;
  /** Multiplies a customer's drop-out probability when this is their first category. */
  dropout: number;
  /** Multiplies the base return rate of an order line from this category. */
  returns: number;
  /** Variant titles; the first is used when there is one. */
  variants: readonly string[];
  items: readonly { noun: string; price: number }[];
}

const SIZES = ['S', 'M', 'L', 'XL'];
const SHOE_SIZES = ['US 8', 'US 9', 'US 10', 'US 11', 'US 12'];

export const categories: readonly CategorySpec[] = [
  {
    name: 'Tents & Shelters', slug: 'tents', popularity: 0.09, rate: 0.65, dropout: 1.25, returns: 0.7, variants: ['Standard'],
    items: [{ noun: '2P Backpacking Tent', price: 289 }, { noun: '4P Family Tent', price: 429 }, { noun: 'Ultralight Tarp', price: 129 }, { noun: 'Bivy Sack', price: 179 }, { noun: 'Hammock Shelter', price: 99 }],
  },
  {
    name: 'Sleeping Bags & Pads', slug: 'sleep', popularity: 0.1, rate: 0.75, dropout: 1.15, returns: 0.8, variants: ['Regular', 'Long'],
    items: [{ noun: '20°F Down Sleeping Bag', price: 319 }, { noun: '40°F Synthetic Quilt', price: 169 }, { noun: 'Insulated Air Pad', price: 149 }, { noun: 'Foam Sleeping Pad', price: 49 }, { noun: 'Camp Pillow', price: 34 }],
  },
  {
    name: 'Backpacks', slug: 'packs', popularity: 0.12, rate: 0.8, dropout: 1.05, returns: 0.9, variants: ['Charcoal', 'Forest', 'Rust'],
    items: [{ noun: '55L Trekking Pack', price: 239 }, { noun: '28L Daypack', price: 119 }, { noun: 'Hydration Vest', price: 129 }, { noun: 'Roll-Top Dry Bag', price: 39 }, { noun: 'Sling Pack', price: 59 }],
  },
  {
    name: 'Jackets & Outerwear', slug: 'outerwear', popularity: 0.16, rate: 0.95, dropout: 0.95, returns: 1.6, variants: SIZES,
    items: [{ noun: 'Rain Shell Jacket', price: 199 }, { noun: 'Down Puffer Jacket', price: 249 }, { noun: 'Fleece Pullover', price: 89 }, { noun: 'Softshell Pants', price: 109 }, { noun: 'Insulated Vest', price: 129 }],
  },
  {
    name: 'Footwear', slug: 'footwear', popularity: 0.13, rate: 0.85, dropout: 1.0, returns: 1.9, variants: SHOE_SIZES,
    items: [{ noun: 'Waterproof Hiking Boot', price: 189 }, { noun: 'Trail Running Shoe', price: 139 }, { noun: 'Camp Sandal', price: 69 }, { noun: 'Approach Shoe', price: 159 }, { noun: 'Insulated Winter Boot', price: 219 }],
  },
  {
    name: 'Base Layers & Socks', slug: 'base-layers', popularity: 0.15, rate: 1.3, dropout: 0.85, returns: 1.2, variants: SIZES,
    items: [{ noun: 'Merino Hiking Socks', price: 24 }, { noun: 'Merino Base Layer Top', price: 89 }, { noun: 'Base Layer Bottoms', price: 79 }, { noun: 'Sun Hoodie', price: 59 }, { noun: 'Liner Gloves', price: 29 }],
  },
  {
    name: 'Camp Kitchen & Coffee', slug: 'camp-kitchen', popularity: 0.14, rate: 1.6, dropout: 0.75, returns: 0.4, variants: ['Standard'],
    items: [{ noun: 'Trail Coffee Blend (12 oz)', price: 16 }, { noun: 'Freeze-Dried Meal 4-Pack', price: 39 }, { noun: 'Titanium Pot Set', price: 69 }, { noun: 'Canister Stove', price: 59 }, { noun: 'Fuel Canister 230g', price: 9 }],
  },
  {
    name: 'Accessories', slug: 'accessories', popularity: 0.11, rate: 1.1, dropout: 0.95, returns: 0.6, variants: ['Standard'],
    items: [{ noun: 'Rechargeable Headlamp', price: 49 }, { noun: 'Insulated Water Bottle', price: 34 }, { noun: 'Trekking Poles (pair)', price: 119 }, { noun: 'First Aid Kit', price: 44 }, { noun: 'Water Filter', price: 39 }],
  },
];

const MODELS = ['Ridgeline', 'Summit', 'Cascade', 'Timberline', 'Boulder', 'Harbor', 'Canyon', 'Aspen', 'Glacier', 'Juniper',
  'Sierra', 'Pioneer', 'Trailhead', 'Basecamp', 'Evergreen', 'Granite', 'Meadow', 'Driftwood', 'Alpenglow'];
/** 19 products per category, 152 in all. */
const PRODUCTS_PER_CATEGORY = 19;

export interface DemoVariant {
  /** Position in the catalogue's variant list (ids are given when written). */
  index: number;
  externalId: string;
  sku: string;
  title: string;
  price: number;
}

export interface DemoProduct {
  index: number;
  category: number;
  externalId: string;
  handle: string;
  title: string;
  /** What the product is, without the model name ("Rain Shell Jacket"). */
  noun: string;
  /** Minor units (cents). */
  price: number;
  imageUrl: string;
  variants: DemoVariant[];
  /** Popularity within its category (Zipf-like). */
  weight: number;
}

export interface Catalogue {
  products: DemoProduct[];
  variants: DemoVariant[];
  /** Products of each category, and their cumulative weights for drawing. */
  byCategory: { products: DemoProduct[]; cumulative: Float64Array }[];
  categoryCumulative: Float64Array;
}

/** Prices end in .95 or .00 the way shops price them. */
function shelfPrice(base: number, k: number): number {
  const factor = [0.8, 0.9, 1, 1.15, 1.3][k % 5]!;
  const dollars = Math.max(5, Math.round(base * factor));
  return k % 2 === 0 ? dollars * 100 - 5 : dollars * 100;
}

export function buildCatalogue(): Catalogue {
  const products: DemoProduct[] = [];
  const variants: DemoVariant[] = [];
  const byCategory: Catalogue['byCategory'] = [];
  categories.forEach((category, c) => {
    const own: DemoProduct[] = [];
    for (let k = 0; k < PRODUCTS_PER_CATEGORY; k += 1) {
      const item = category.items[k % category.items.length]!;
      // Step through model names so every (model, item) pair is distinct within the category.
      const model = MODELS[(k + c * 3) % MODELS.length]!;
      const title = `${model} ${item.noun}`;
      const handle = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
      const index = products.length;
      const price = shelfPrice(item.price, Math.floor(k / category.items.length) + k);
      const product: DemoProduct = {
        index, category: c, externalId: `P${1001 + index}`, handle, title, noun: item.noun, price,
        imageUrl: `/demo/images/${category.slug}/${handle}.jpg`, variants: [], weight: 1 / (1 + k) ** 0.8,
      };
      category.variants.forEach((variantTitle, v) => {
        const variant: DemoVariant = {
          index: variants.length, externalId: `${product.externalId}-${v + 1}`,
          sku: `${category.slug.slice(0, 3).toUpperCase()}-${1001 + index}-${variantTitle.replace(/[^A-Za-z0-9]+/g, '').toUpperCase()}`,
          title: variantTitle, price,
        };
        variants.push(variant);
        product.variants.push(variant);
      });
      products.push(product);
      own.push(product);
    }
    byCategory.push({ products: own, cumulative: cumulative(own.map((p) => p.weight)) });
  });
  return { products, variants, byCategory, categoryCumulative: cumulative(categories.map((c) => c.popularity)) };
}
